"""The commit reuses the rows validation read (no second parse of the workbook) and re-checks
only what the database can have changed since: the cohort's student numbers, the colleges
and majors. The rows kept in between are encrypted at rest and gone once committed."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from apps.audit.models import AuditEntry
from apps.graduates.models import Graduate
from apps.organisations.models import College
from apps.roster import parsed, parsing, services
from apps.roster.models import ImportStatus
from tests import factories as f
from tests.roster.builders import id_number, issues_of, person, xlsx

pytestmark = pytest.mark.django_db

CHANGED_COLLEGE = "院系“{name}”在校验之后已被修改或删除，本次未导入任何数据：请重新上传文件校验"
CHANGED_MAJOR = "专业“{name}”在校验之后已被修改或删除，本次未导入任何数据：请重新上传文件校验"


def test_commit_after_validation_does_not_parse_the_workbook_again(world, upload, commit, monkeypatch):
    roster_import = upload(xlsx([person(1), person(2, 院系="新能源学院", 专业名称="储能工程", 专业代码=None)]))
    assert roster_import.status == ImportStatus.VALID
    opened = []
    monkeypatch.setattr(parsing, "open_roster_sheet", lambda fileobj: opened.append(fileobj) or _refuse(fileobj))

    roster_import = commit(roster_import)

    assert opened == []
    assert roster_import.status == ImportStatus.COMMITTED, roster_import.failure_message
    assert (roster_import.created_count, roster_import.total_rows) == (2, 2)
    first, second = Graduate.objects.filter(imported_by=roster_import).order_by("student_number")
    assert (first.college, first.major, first.id_number, first.phone) == (
        world.college, world.major, id_number(1), "13900000001")
    assert first.enrolment_date.isoformat() == "2022-09-01" and first.birth_date.isoformat() == "2004-01-02"
    assert (second.college.name, second.major.name) == ("新能源学院", "储能工程")
    # the report staff read after the commit still names what it created
    assert issues_of(roster_import, warnings=True) == {(3, "院系", "将新建院系：新能源学院"),
                                                       (3, "专业名称", "将新建专业：储能工程（新能源学院）")}


def test_student_number_added_after_validation_is_refused_at_commit(world, upload, commit, monkeypatch):
    roster_import = upload(xlsx([person(1), person(2, 院系="新能源学院")]))
    assert roster_import.status == ImportStatus.VALID
    kept = roster_import.parsed_rows
    assert kept and default_storage.exists(kept)
    # meanwhile a colleague adds the second person by hand
    f.make_graduate(college=world.college, major=world.major, student_number="2026000002", name="学生2")
    monkeypatch.setattr(parsing, "open_roster_sheet", _refuse)
    before = Graduate.objects.count()

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.INVALID
    assert issues_of(roster_import, warnings=False) == {(3, "学号", f"该学号已存在于{world.school.current_cohort}届名单")}
    assert Graduate.objects.count() == before
    assert not world.school.colleges.filter(name="新能源学院").exists()
    assert not AuditEntry.objects.filter(action="roster.commit").exists()
    assert roster_import.parsed_rows == "" and not default_storage.exists(kept)


def test_college_renamed_after_validation_is_refused_at_commit(world, upload, commit, monkeypatch):
    roster_import = upload(xlsx([person(1), person(2)]))
    assert roster_import.status == ImportStatus.VALID
    College.objects.filter(pk=world.college.pk).update(name="计算机科学与技术学院")
    monkeypatch.setattr(parsing, "open_roster_sheet", _refuse)

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.INVALID
    message = CHANGED_COLLEGE.format(name="计算机学院")
    assert issues_of(roster_import, warnings=False) == {(2, "院系", message), (3, "院系", message)}
    assert not Graduate.objects.filter(student_number__in=["2026000001", "2026000002"]).exists()
    # not silently re-created under its old name either
    assert not world.school.colleges.filter(name="计算机学院").exists()


def test_major_deleted_after_validation_is_refused_at_commit(world, upload, commit, monkeypatch):
    data_science = f.make_major(world.college, "数据科学与大数据技术", "080910")
    roster_import = upload(xlsx([person(1, 专业名称="数据科学与大数据技术", 专业代码="080910")]))
    assert roster_import.status == ImportStatus.VALID and roster_import.warning_count == 0
    data_science.delete()
    monkeypatch.setattr(parsing, "open_roster_sheet", _refuse)

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.INVALID
    assert (2, "专业名称", CHANGED_MAJOR.format(name="数据科学与大数据技术")) in issues_of(roster_import, warnings=False)
    assert not Graduate.objects.filter(student_number="2026000001").exists()
    assert not world.college.majors.filter(name="数据科学与大数据技术").exists()


def test_college_created_after_validation_is_used_not_duplicated(world, upload, commit, monkeypatch):
    roster_import = upload(xlsx([person(1, 院系="新能源学院", 专业名称="储能工程", 专业代码="080503")]))
    assert roster_import.status == ImportStatus.VALID
    created_meanwhile = f.make_college(world.school, "新能源学院")
    monkeypatch.setattr(parsing, "open_roster_sheet", _refuse)

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.COMMITTED, roster_import.failure_message
    graduate = Graduate.objects.get(student_number="2026000001")
    assert graduate.college == created_meanwhile
    assert world.school.colleges.filter(name="新能源学院").count() == 1


def test_upsert_record_added_after_validation_is_updated(world, upload, commit, monkeypatch):
    roster_import = upload(xlsx([person(1, 手机号="13811112222")]), mode="upsert")
    assert roster_import.status == ImportStatus.VALID
    meanwhile = f.make_graduate(college=world.college, major=world.major, student_number="2026000001",
                                name="学生1", id_number=id_number(1))
    monkeypatch.setattr(parsing, "open_roster_sheet", _refuse)

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.COMMITTED, roster_import.failure_message
    assert (roster_import.created_count, roster_import.updated_count) == (0, 1)
    meanwhile.refresh_from_db()
    assert meanwhile.phone == "13811112222"
    assert Graduate.objects.filter(student_number="2026000001").count() == 1


def test_kept_rows_are_encrypted_at_rest_and_removed_after_the_commit(world, upload, commit):
    roster_import = upload(xlsx([person(1), person(2)]))
    kept = roster_import.parsed_rows
    with default_storage.open(kept, "rb") as fh:
        stored = fh.read()
    for secret in (id_number(1), id_number(2), "13900000001", "学生1"):
        assert secret.encode() not in stored
    assert roster_import.file.name.split("/")[-1] in kept  # next to the upload, in private storage

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.COMMITTED
    assert roster_import.parsed_rows == ""
    assert not default_storage.exists(kept)


def test_kept_rows_read_back_exactly_as_validated(world, upload):
    rows = [person(1, 委培单位="合肥某研究所", 培养方式="定向"),
            person(2, 民族=None, 手机号=None, 入学年月=None, 考生号=None, 院系="新能源学院")]
    roster_import = upload(xlsx(rows))

    kept, total_rows = parsed.load(roster_import)
    fresh = services._validate_file(roster_import)

    def comparable(row):
        return row.row_number, row.fields, row.college_id, row.major_id, row.existing_pk, row.place

    assert total_rows == 2
    assert [comparable(r) for r in kept] == [comparable(r) for r in fresh.rows]
    assert "ethnicity_code" not in kept[1].fields and "phone" not in kept[1].fields  # blank stays blank


def test_an_invalid_file_keeps_no_rows(world, upload):
    roster_import = upload(xlsx([person(1), person(2, 姓名=None)]))
    assert roster_import.status == ImportStatus.INVALID
    assert roster_import.parsed_rows == ""


def test_commit_reads_the_workbook_when_the_kept_rows_are_unusable(world, upload, commit):
    roster_import = upload(xlsx([person(1)]))
    with default_storage.open(roster_import.parsed_rows, "wb") as fh:
        fh.write(b"not what validation wrote")

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.COMMITTED, roster_import.failure_message
    assert Graduate.objects.get(student_number="2026000001").id_number == id_number(1)


def _refuse(fileobj):
    """Stands in for the parser once validation is done: the commit catches exceptions and
    would mark the import failed, so each test checks the status too."""
    raise AssertionError("the workbook was parsed again")
