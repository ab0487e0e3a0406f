"""The report: one issue per problem, on the row Excel shows, in Chinese; nothing written."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.graduates.models import Graduate
from apps.roster.models import ImportStatus
from tests.roster.builders import HEADERS, id_number, id_number_ending_in_x, issues_of, person, xlsx

pytestmark = pytest.mark.django_db


def test_several_bad_rows_each_get_their_message_and_nothing_is_created(world, upload):
    before = Graduate.objects.count()
    bad_checksum = id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")
    rows = [
        person(1),
        person(2, 身份证号=bad_checksum),
        person(3, 姓名=None),
        person(4, 性别="男"),  # serial 4: even digit → the ID says 女
        person(5, 民族="火星族"),
        person(6, 生源地代码="340100"),  # 合肥市: a city, not a county
        person(7, 手机号="12345"),
        person(8, 入学年月="2022-13"),
        person(9, 学历层次="99"),
        person(10, 身份证号="34010420040102"),
        None,  # a blank line is skipped, later rows keep their Excel numbers
        person(11, 毕业日期="2026/02/30"),
    ]
    roster_import = upload(xlsx(rows))

    assert roster_import.status == ImportStatus.INVALID
    assert issues_of(roster_import, warnings=False) == {
        (3, "身份证号", "身份证号校验位不正确"),
        (4, "姓名", "姓名不能为空"),
        (5, "性别", "性别与身份证号不一致：身份证号对应的性别为女"),
        (6, "民族", "民族“火星族”不是有效的代码或名称，请对照“民族”工作表填写"),
        (7, "生源地代码", "生源地代码“340100”不是现行的区县级行政区划代码：须精确到区县（6位代码），不能只填省或地市"),
        (8, "手机号", "手机号须为11位大陆手机号码"),
        (9, "入学年月", "入学年月格式不正确，应为YYYY-MM或YYYYMM，如2022-09"),
        (10, "学历层次", "学历层次“99”不是有效的代码或名称，请对照“学历层次”工作表填写"),
        (11, "身份证号", "身份证号格式不正确"),
        (13, "毕业日期", "毕业日期格式不正确，应为YYYY-MM-DD，如2026-06-30"),
    }
    assert roster_import.error_count == 10
    assert roster_import.total_rows == 11
    assert Graduate.objects.count() == before


def test_missing_required_column_is_reported_on_the_header_row(world, upload):
    headers = [h for h in HEADERS if h != "身份证号*"]
    roster_import = upload(xlsx([person(1)], headers=headers))
    assert roster_import.status == ImportStatus.INVALID
    assert issues_of(roster_import) == {(1, "", "缺少必填列：身份证号。请使用下载的导入模板")}


def test_empty_file_is_invalid(world, upload):
    roster_import = upload(xlsx([None, None]))
    assert roster_import.status == ImportStatus.INVALID
    assert issues_of(roster_import) == {(1, "", "文件中没有生源数据")}


def test_codes_accept_code_name_old_name_and_a_lost_leading_zero(world, upload, commit):
    rows = [
        person(1, 民族="01", 学历层次="本科生毕业", 性别="1"),
        person(2, 民族="傈傈族", 政治面貌=1, 学历层次=31),  # old spelling; numbers typed without the zero
        person(3, 民族="汉族", 政治面貌="中共党员", 困难生类别=3, 城乡生源="城镇"),
    ]
    roster_import = commit(upload(xlsx(rows)))
    assert roster_import.status == ImportStatus.COMMITTED, list(roster_import.issues.values_list("message", flat=True))
    stored = {g.student_number: g for g in Graduate.objects.filter(imported_by=roster_import)}
    first, second, third = stored["2026000001"], stored["2026000002"], stored["2026000003"]
    assert (first.ethnicity_code, first.education_level_code, first.gender_code) == ("01", "31", "1")
    assert (second.ethnicity_code, second.political_status_code, second.education_level_code) == ("20", "01", "31")
    assert (third.political_status_code, third.hardship_code, third.urban_rural_code) == ("01", "3", "2")


def test_id_numbers_are_normalised_before_checking(world, upload, commit):
    with_x = id_number_ending_in_x()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in id_number(2))
    rows = [
        person(1, 身份证号=" " + with_x[:6] + " " + with_x[6:-1] + "x ", 性别="男" if int(with_x[16]) % 2 else "女"),
        person(2, 身份证号=full_width),
        person(3, 身份证号=id_number(3)[:9] + "\u3000" + id_number(3)[9:]),
    ]
    roster_import = commit(upload(xlsx(rows)))
    assert roster_import.status == ImportStatus.COMMITTED, list(roster_import.issues.values_list("message", flat=True))
    stored = {g.student_number: g.id_number for g in Graduate.objects.filter(imported_by=roster_import)}
    assert stored == {"2026000001": with_x, "2026000002": id_number(2), "2026000003": id_number(3)}


def test_birth_date_comes_from_the_id_number(world, upload, commit):
    commit(upload(xlsx([person(1)])))
    graduate = Graduate.objects.get(student_number="2026000001")
    assert graduate.birth_date.isoformat() == "2004-01-02"


def test_duplicate_key_inside_the_file_is_an_error_naming_the_first_row(world, upload):
    rows = [person(1), person(2), person(3, 学号="2026000001", 身份证号=id_number(5), 性别="男")]
    roster_import = upload(xlsx(rows))
    assert roster_import.status == ImportStatus.INVALID
    assert issues_of(roster_import, warnings=False) == {(4, "学号", "学号和学历层次与第2行重复")}


def test_same_student_number_under_another_education_level_is_allowed(world, upload):
    rows = [person(1), person(2, 学号="2026000001", 学历层次="11", 身份证号=id_number(1), 姓名="学生1", 性别="男")]
    roster_import = upload(xlsx(rows))
    assert roster_import.status == ImportStatus.VALID
    assert issues_of(roster_import) == {(3, "身份证号", "身份证号与第2行相同")}


def test_same_id_number_twice_in_the_file_is_a_warning(world, upload):
    rows = [person(1), person(2, 身份证号=id_number(1), 性别="男")]
    roster_import = upload(xlsx(rows))
    assert roster_import.status == ImportStatus.VALID
    assert issues_of(roster_import) == {(3, "身份证号", "身份证号与第2行相同")}
    assert (roster_import.error_count, roster_import.warning_count) == (0, 1)


def test_existing_record_is_an_error_in_create_mode(world, upload):
    row = person(1, 学号=world.graduate.student_number)
    roster_import = upload(xlsx([row]))
    assert roster_import.status == ImportStatus.INVALID
    assert issues_of(roster_import) == {(2, "学号", f"该学号已存在于{world.school.current_cohort}届名单")}


def test_same_id_number_in_the_cohort_under_another_key_is_a_warning(world, upload):
    row = person(1, 身份证号=world.graduate.id_number, 性别="男")
    roster_import = upload(xlsx([row]))
    assert roster_import.status == ImportStatus.VALID
    assert issues_of(roster_import) == {(2, "身份证号", f"该身份证号已存在于{world.school.current_cohort}届名单（学号2022010101）")}


def test_records_of_another_cohort_or_school_do_not_collide(world, upload):
    rows = [person(1, 学号=world.graduate.student_number), person(2, 学号=world.stranger.student_number)]
    roster_import = upload(xlsx(rows), cohort=world.school.current_cohort - 1)
    assert roster_import.status == ImportStatus.VALID
    assert issues_of(roster_import) == set()


def test_unknown_college_and_major_are_warned_once_and_created_at_commit(world, upload, commit):
    rows = [person(1, 院系="新能源学院", 专业名称="储能科学与工程", 专业代码="080416T"),
            person(2, 院系="新能源学院", 专业名称="储能科学与工程", 专业代码="080416T"),
            person(3, 专业名称="人工智能", 专业代码="080717T")]
    roster_import = upload(xlsx(rows))
    assert roster_import.status == ImportStatus.VALID
    assert issues_of(roster_import) == {
        (2, "院系", "将新建院系：新能源学院"),
        (2, "专业名称", "将新建专业：储能科学与工程（新能源学院）"),
        (4, "专业名称", "将新建专业：人工智能（计算机学院）"),
    }
    commit(roster_import)
    college = world.school.colleges.get(name="新能源学院")
    assert college.majors.get().code == "080416T"
    assert Graduate.objects.filter(college=college).count() == 2
    assert world.college.majors.filter(name="人工智能", code="080717T").exists()


def test_college_may_be_given_by_code(world, upload, commit):
    roster_import = commit(upload(xlsx([person(1, 院系=world.other_college.code, 专业名称="英语", 专业代码="050201")])))
    assert roster_import.status == ImportStatus.COMMITTED
    graduate = Graduate.objects.get(student_number="2026000001")
    assert (graduate.college, graduate.major) == (world.other_college, world.other_major)


def test_the_template_example_row_is_refused(world, upload):
    from apps.roster.services import roster_template_workbook

    roster_import = upload(roster_template_workbook())
    assert roster_import.status == ImportStatus.INVALID
    assert issues_of(roster_import) == {(2, "", "这是模板中的示例行，请删除后再导入")}


def test_id_number_stored_as_a_number_gets_a_hint(world, upload):
    as_number = float(id_number(1))  # what Excel does to 18 digits typed into a number cell
    roster_import = upload(xlsx([person(1, 身份证号=as_number)]))
    assert issues_of(roster_import) == {
        (2, "身份证号", "身份证号被存成了数字，末几位可能已被Excel改写：请将该列设为文本格式后重新填写")
    }


def test_progress_is_saved_every_500_rows(world, upload):
    rows = [person(i % 1000, 学号=f"2026{i:06d}") for i in range(1, 1201)]
    with CaptureQueriesContext(connection) as queries:
        roster_import = upload(xlsx(rows))
    progress_updates = [q["sql"] for q in queries.captured_queries
                        if q["sql"].startswith("UPDATE") and "processed_rows" in q["sql"]]
    # claim (reset to 0), after 500, after 1000, and the final counters
    assert len(progress_updates) == 4
    assert (roster_import.total_rows, roster_import.processed_rows) == (1200, 1200)


def test_id_number_check_agrees_with_stdnum():
    import random

    from stdnum.cn import ric

    from apps.roster.validation import id_number_problem

    rng = random.Random(7)
    samples = ["", "X" * 18, "34010420040102001", "3401042004010200155", "34010420041302001X", "99999920040102001X",
               "110101180001010010", "34010420040230001X"]
    for _ in range(3000):
        body = rng.choice(["340104", "110105", "440300", "659001", "000000", "341200"]) + \
            f"{rng.randint(1900, 2030)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}{rng.randint(0, 999):03d}"
        samples.append(body + rng.choice("0123456789XA"))
        samples.append(body + ric.calc_check_digit(body + "?"))
    assert [id_number_problem(s) is None for s in samples] == [ric.is_valid(s) for s in samples]
