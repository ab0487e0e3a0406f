"""Committing: all or nothing, encrypted at rest, found by the login, audited once."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from apps.accounts.services import LoginAttempt, graduate_login
from apps.audit.models import AuditEntry
from apps.core.crypto import decrypt, keyed_hash
from apps.core.errors import DomainError
from apps.graduates.models import Graduate
from apps.roster.models import ImportStatus
from tests import factories as f
from tests.roster.builders import id_number, id_number_ending_in_x, issues_of, person, xlsx

pytestmark = pytest.mark.django_db


def test_clean_file_is_committed_and_graduates_created(world, upload, commit):
    roster_import = upload(xlsx([person(1), person(2), person(3)]))
    assert roster_import.status == ImportStatus.VALID
    assert (roster_import.total_rows, roster_import.error_count, roster_import.warning_count) == (3, 0, 0)

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.COMMITTED
    assert (roster_import.created_count, roster_import.updated_count) == (3, 0)
    assert roster_import.finished_at is not None
    created = Graduate.objects.filter(imported_by=roster_import).order_by("student_number")
    assert [g.student_number for g in created] == ["2026000001", "2026000002", "2026000003"]
    first = created[0]
    assert (first.school, first.cohort, first.college, first.major) == (world.school, world.school.current_cohort, world.college, world.major)
    assert (first.name, first.gender_code, first.education_level_code) == ("学生1", "1", "31")
    assert (first.ethnicity_code, first.political_status_code, first.urban_rural_code) == ("01", "03", "3")
    assert (first.training_mode_code, first.hardship_code, first.normal_student_code) == ("1", "0", "2")
    assert first.origin_division_id == "340104"
    assert (first.enrolment_date.isoformat(), first.graduation_date.isoformat()) == ("2022-09-01", "2026-06-30")
    assert first.id_number == id_number(1) and first.id_number_hash == keyed_hash(id_number(1))
    assert first.phone == "13900000001" and first.phone_hash == keyed_hash("13900000001")
    assert first.signing_pin_hash == ""


def test_id_number_and_phone_are_encrypted_in_the_database(world, upload, commit):
    commit(upload(xlsx([person(1)])))
    graduate = Graduate.objects.get(student_number="2026000001")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM graduates_graduate WHERE id = %s", [graduate.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert id_number(1) not in raw_id and id_number(1)[6:14] not in raw_id
    assert "13900000001" not in raw_phone
    assert decrypt(raw_id) == id_number(1)


def test_imported_graduate_can_log_in_with_messy_input(world, upload, commit):
    with_x = id_number_ending_in_x()
    row = person(1, 姓名="买买提·艾力", 身份证号=with_x, 性别="男" if int(with_x[16]) % 2 else "女")
    commit(upload(xlsx([row])))
    user = graduate_login(LoginAttempt(
        school_id=world.school.pk, name="买买提•艾力", student_number=" 2026 000001",
        id_number=with_x[:10] + " " + with_x[10:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x",
        client_address="10.0.0.1",
    ))
    assert user.graduate.student_number == "2026000001"


def test_upsert_updates_existing_records_and_never_touches_the_pin(world, upload, commit):
    existing = f.make_graduate(college=world.college, major=world.major, name="周杰", student_number="2026000001",
                               id_number=id_number(1), pin="135790", ethnicity_code="03")
    pin_hash = existing.signing_pin_hash
    rows = [
        person(1, 姓名="周杰", 院系="外国语学院", 专业名称="英语", 专业代码="050201", 民族=None, 手机号="13811112222"),
        person(2),
    ]
    roster_import = upload(xlsx(rows), mode="upsert")
    assert roster_import.status == ImportStatus.VALID
    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.COMMITTED
    assert (roster_import.created_count, roster_import.updated_count) == (1, 1)
    existing.refresh_from_db()
    assert (existing.college, existing.major) == (world.other_college, world.other_major)
    assert existing.phone == "13811112222" and existing.phone_hash == keyed_hash("13811112222")
    assert existing.ethnicity_code == "03"  # a blank cell does not clear what is there
    assert existing.signing_pin_hash == pin_hash
    assert Graduate.objects.filter(school=world.school, cohort=world.school.current_cohort, student_number="2026000002").exists()


def test_upsert_of_identical_data_counts_nothing_as_updated(world, upload, commit):
    commit(upload(xlsx([person(1)])))
    again = commit(upload(xlsx([person(1)]), mode="upsert"))
    assert again.status == ImportStatus.COMMITTED
    assert (again.created_count, again.updated_count) == (0, 0)


def test_upsert_warns_when_an_existing_record_gets_another_id_number(world, upload):
    row = person(1, 学号=world.graduate.student_number, 姓名=world.graduate.name)
    roster_import = upload(xlsx([row]), mode="upsert")
    assert roster_import.status == ImportStatus.VALID
    masked = world.graduate.masked_id_number
    assert issues_of(roster_import) == {(2, "身份证号", f"将修改已有记录的身份证号（原为{masked}）")}


def test_nothing_is_written_when_the_database_changed_after_validation(world, upload, commit):
    roster_import = upload(xlsx([person(1), person(2, 院系="新能源学院")]))
    assert roster_import.status == ImportStatus.VALID
    # meanwhile someone adds the first person by hand
    f.make_graduate(college=world.college, major=world.major, student_number="2026000001", name="学生1")
    before = Graduate.objects.count()

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.INVALID
    assert issues_of(roster_import, warnings=False) == {(2, "学号", f"该学号已存在于{world.school.current_cohort}届名单")}
    assert Graduate.objects.count() == before
    assert not Graduate.objects.filter(imported_by=roster_import).exists()
    assert not world.school.colleges.filter(name="新能源学院").exists()
    assert not AuditEntry.objects.filter(action="roster.commit").exists()


def test_commit_writes_one_audit_entry_with_the_counts(world, upload, commit):
    roster_import = commit(upload(xlsx([person(1), person(2)])))
    entries = AuditEntry.objects.filter(action="roster.commit")
    assert entries.count() == 1
    entry = entries.get()
    assert (entry.actor, entry.school, entry.target_id) == (world.school_admin, world.school, str(roster_import.pk))
    assert entry.changes["created"] == 2 and entry.changes["updated"] == 0 and entry.changes["rows"] == 2
    assert id_number(1) not in str(entry.changes) and id_number(1) not in entry.summary


def test_upload_is_audited(world, upload):
    roster_import = upload(xlsx([person(1)]))
    entry = AuditEntry.objects.get(action="roster.upload")
    assert (entry.actor, entry.target_id) == (world.school_admin, str(roster_import.pk))


def test_invalid_import_cannot_be_committed(world, upload, commit):
    roster_import = upload(xlsx([person(1, 姓名=None)]))
    with pytest.raises(DomainError) as exc:
        commit(roster_import)
    assert exc.value.message == "只有校验通过的导入才能确认导入"


def test_committed_import_cannot_be_committed_twice(world, upload, commit):
    roster_import = commit(upload(xlsx([person(1)])))
    with pytest.raises(DomainError) as exc:
        commit(roster_import)
    assert exc.value.message == "该文件已提交导入，请勿重复操作"
    assert Graduate.objects.filter(student_number="2026000001").count() == 1


def test_commit_fails_cleanly_when_the_stored_file_is_gone(world, upload, commit):
    roster_import = upload(xlsx([person(1)]))
    default_storage.delete(roster_import.file.name)
    # the rows validation kept too: without them the commit falls back to the workbook
    default_storage.delete(roster_import.parsed_rows)
    roster_import = commit(roster_import)
    assert roster_import.status == ImportStatus.FAILED
    assert roster_import.failure_message == "导入时发生系统错误，未写入任何数据。请稍后重试；如仍失败请联系技术支持"
    assert not Graduate.objects.filter(student_number="2026000001").exists()


def test_a_failure_after_the_inserts_rolls_everything_back(world, upload, commit):
    from apps.audit.models import AuditChainHead

    roster_import = upload(xlsx([person(1), person(2, 院系="新能源学院")]))
    assert roster_import.status == ImportStatus.VALID
    # Break the audit chain's head so the commit's audit entry (written after the inserts)
    # collides with the upload's entry: a real database error late in the transaction.
    AuditChainHead.objects.filter(chain=f"school:{world.school.pk}").update(length=0)

    roster_import = commit(roster_import)

    assert roster_import.status == ImportStatus.FAILED
    assert roster_import.failure_message == "导入时发生系统错误，未写入任何数据。请稍后重试；如仍失败请联系技术支持"
    assert not Graduate.objects.filter(student_number__in=["2026000001", "2026000002"]).exists()
    assert not world.school.colleges.filter(name="新能源学院").exists()
    assert roster_import.created_count == 0
