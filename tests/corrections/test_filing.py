"""毕业生信息反馈 (C3): filing a correction, and everything that is refused at filing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.audit.models import AuditEntry
from apps.core import workdays
from apps.core.errors import DomainError, Forbidden
from apps.corrections.models import Correction, CorrectionImage, CorrectionStatus
from apps.graduates.models import Graduate
from tests.corrections.conftest import jpeg_with_gps, png, valid_id_number

# Friday 2030-03-01 → Mon 4, Tue 5 are working days, Wed 6 is a holiday, Thu 7 is the third.
SMALL = workdays.calendar_from_rows([{"date": "2030-03-06", "kind": "holiday", "name": "测试节"}])


@pytest.fixture
def fixed_calendar(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(workdays, "_table", lambda: SMALL)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2030, 3, 1))


def test_filing_with_two_images_is_pending_with_a_promise(world, file_correction, fixed_calendar, private_media):
    c = file_correction(images=[png(), jpeg_with_gps()])
    c.refresh_from_db()
    assert c.status == CorrectionStatus.PENDING
    assert (c.kind, c.field, c.current_value, c.proposed_display) == ("basic", "ethnicity_code", "", "回族")
    assert (c.school_id, c.college_id) == (world.school.pk, world.college.pk)
    assert c.promised_by == date(2030, 3, 7)  # 3 working days, the holiday skipped
    images = list(c.images.all())
    assert len(images) == 2
    assert {i.original_name for i in images} == {"证明.png", "photo.jpg"}
    for image in images:
        assert image.file.name.startswith(f"corrections/{world.school.pk}/")
        assert "证明" not in image.file.name and "photo" not in image.file.name
        assert (private_media / image.file.name).exists()
        assert image.size == (private_media / image.file.name).stat().st_size <= 300 * 1024
    # the phone photo's EXIF (maker, GPS) is gone
    jpeg = next(i for i in images if i.original_name == "photo.jpg")
    with Image.open(private_media / jpeg.file.name) as stored:
        assert not stored.getexif()
    entry = AuditEntry.objects.get(action="correction.file")
    assert entry.graduate_id == world.graduate.pk and entry.actor_kind == "graduate"
    assert entry.changes == {"申请更正": ["", "回族"], "证明材料": ["", "2张图片"]}
    # filing changes nothing on the record itself
    assert Graduate.objects.get(pk=world.graduate.pk).ethnicity_code == ""


def test_filing_by_name_of_a_code_and_a_free_kind(world, file_correction):
    c = file_correction(proposed_value="回族")
    assert c.proposed_value == "回族" and c.proposed_display == "回族"
    archive = file_correction(kind="archive", field="ignored", proposed_value="档案应寄往合肥市人才服务中心",
                              explanation="单位要求")
    assert (archive.kind, archive.field, archive.current_value) == ("archive", "", "")


def test_kind_is_taken_from_the_field_when_missing(world, file_correction):
    assert file_correction(kind="", field="name", proposed_value="王晓明").kind == "basic"
    assert file_correction(kind="", field="exam_number", proposed_value="22340104150123").kind == "enrolment"


def test_id_number_is_stored_encrypted_and_shown_masked(world, file_correction):
    from django.db import connection

    new_id = valid_id_number(456)
    c = file_correction(field="id_number", proposed_value=new_id.lower())
    assert c.proposed_display == new_id[:4] + "*" * 10 + new_id[-4:]
    assert c.current_value == world.graduate.masked_id_number
    with connection.cursor() as cursor:
        cursor.execute("SELECT proposed_value FROM corrections_correction WHERE id = %s", [c.pk])
        raw = cursor.fetchone()[0]
    assert new_id not in raw and new_id.lower() not in raw
    assert new_id not in str(AuditEntry.objects.get(action="correction.file").changes)


@pytest.mark.parametrize("field, message", [
    ("phone", "本人联系电话可以在“生源信息”或“联系方式登记”页面直接修改，无需提交信息反馈"),
    ("origin_division", "生源所在地可以在“生源信息”或“联系方式登记”页面直接修改，无需提交信息反馈"),
])
def test_editable_fields_are_not_corrected_here(world, file_correction, field, message):
    with pytest.raises(DomainError) as exc:
        file_correction(kind="basic", field=field, proposed_value="13812345678")
    assert exc.value.code == "editable_field" and exc.value.message == message
    assert not Correction.objects.exists()


@pytest.mark.parametrize("field", ["cohort", "school", "id_number_hash", "signing_pin_hash", ""])
def test_unknown_or_missing_field(world, file_correction, field):
    with pytest.raises(DomainError) as exc:
        file_correction(field=field, proposed_value="x")
    assert "field" in exc.value.fields
    assert not Correction.objects.exists()


def test_field_of_the_other_group_is_refused(world, file_correction):
    with pytest.raises(DomainError) as exc:
        file_correction(kind="enrolment", field="name", proposed_value="王晓明")
    assert exc.value.code == "kind_mismatch"


@pytest.mark.parametrize("field, value, message", [
    ("id_number", "340104200305170000", "身份证号：身份证号不正确"),
    ("ethnicity_code", "99", "民族：不是有效的选项"),
    ("ethnicity_code", "火星族", "民族：不是有效的选项"),
    ("gender_code", "3", "性别：不是有效的选项"),
    ("college", "不存在学院", "院系：院系不存在"),
    ("enrolment_date", "2022-13-01", "入学年月：日期格式应为YYYY-MM-DD"),
    ("name", "", "请填写正确的信息"),
])
def test_invalid_proposed_values_are_refused(world, file_correction, field, value, message):
    kind = "enrolment" if field in ("college", "enrolment_date") else "basic"
    with pytest.raises(DomainError) as exc:
        file_correction(kind=kind, field=field, proposed_value=value)
    assert exc.value.message == message and "proposed_value" in exc.value.fields
    assert not Correction.objects.exists() and not AuditEntry.objects.exists()


def test_a_college_of_another_school_is_refused(world, file_correction):
    with pytest.raises(DomainError):
        file_correction(kind="enrolment", field="college", proposed_value=str(world.far_college.pk))


def test_the_current_value_is_not_a_correction(world, file_correction):
    with pytest.raises(DomainError) as exc:
        file_correction(field="name", proposed_value=" 王小明 ")
    assert exc.value.code == "unchanged"


@pytest.mark.parametrize("explanation, message", [("", "请填写说明"), ("   ", "请填写说明"), ("说" * 501, "不超过500个字")])
def test_explanation_is_required_and_short(world, file_correction, explanation, message):
    with pytest.raises(DomainError) as exc:
        file_correction(explanation=explanation)
    assert exc.value.fields == {"explanation": message}


def test_free_kind_needs_the_correct_information(world, file_correction):
    with pytest.raises(DomainError) as exc:
        file_correction(kind="destination", field="", proposed_value="  ")
    assert "proposed_value" in exc.value.fields


def test_unknown_kind(world, file_correction):
    with pytest.raises(DomainError) as exc:
        file_correction(kind="salary", field="")
    assert exc.value.fields == {"kind": "请选择反馈类型"}


def test_a_fifth_image_is_refused(world, file_correction, private_media):
    with pytest.raises(DomainError) as exc:
        file_correction(images=[png(f"{i}.png") for i in range(5)])
    assert exc.value.message == "最多上传4张图片"
    assert not Correction.objects.exists() and not CorrectionImage.objects.exists()
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))
    assert file_correction(images=[png(f"{i}.png") for i in range(4)]).images.count() == 4


def test_a_text_file_is_not_an_image(world, file_correction, private_media):
    fake = SimpleUploadedFile("evil.png", b"just some text, not a picture", content_type="image/png")
    with pytest.raises(DomainError) as exc:
        file_correction(images=[png(), fake])
    assert exc.value.message.startswith("第2张图片：") and "images" in exc.value.fields
    assert not Correction.objects.exists()
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))


def test_a_second_pending_correction_for_the_same_field_is_refused(world, file_correction):
    first = file_correction()
    with pytest.raises(DomainError) as exc:
        file_correction(proposed_value="04")
    assert exc.value.code == "duplicate_pending"
    # another field, or a free kind, is fine
    file_correction(field="name", proposed_value="王晓明")
    file_correction(kind="other", field="", proposed_value="其他问题")
    file_correction(kind="other", field="", proposed_value="又一个问题")
    # once decided (or withdrawn) the field may be corrected again
    from apps.corrections.services import correction_withdraw

    correction_withdraw(actor=world.graduate_user, correction=first)
    assert file_correction(proposed_value="04").status == CorrectionStatus.PENDING


def test_the_database_refuses_a_second_pending_one_too(world, file_correction):
    from django.db import IntegrityError, transaction

    c = file_correction()
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.create(graduate=c.graduate, school_id=c.school_id, college_id=c.college_id, kind="basic",
                                  field="ethnicity_code", proposed_value="04", explanation="x",
                                  promised_by=c.promised_by)


@pytest.mark.parametrize("persona", ["stranger_user", "school_admin", "college_admin", "employer_user"])
def test_only_the_graduate_files_for_the_own_record(world, file_correction, persona):
    with pytest.raises(Forbidden):
        file_correction(actor=getattr(world, persona))
    assert not Correction.objects.exists()
