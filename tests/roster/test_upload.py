"""What an upload must be: an .xlsx within the size limit, from school staff."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.errors import DomainError, Forbidden
from apps.roster import services
from apps.roster.models import RosterImport
from tests.roster.builders import person, xlsx

pytestmark = pytest.mark.django_db


def _start(actor, content: bytes, name="生源.xlsx", **kw):
    return services.roster_import_start(actor=actor, uploaded_file=SimpleUploadedFile(name, content),
                                        cohort=kw.get("cohort", actor.school.current_cohort if actor.school else 2026), mode=kw.get("mode", "create"))


def _stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_text_file_renamed_xlsx_is_refused(world, private_media):
    with pytest.raises(DomainError) as exc:
        _start(world.school_admin, "学号,姓名\n2026000001,张三\n".encode(), name="生源.xlsx")
    assert exc.value.message == "文件不是有效的Excel（.xlsx）文件"
    assert not RosterImport.objects.exists()
    assert _stored_files(private_media) == []


def test_zip_that_is_not_a_workbook_is_refused(world):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(DomainError) as exc:
        _start(world.school_admin, buffer.getvalue())
    assert exc.value.message == "文件不是有效的Excel（.xlsx）文件"


def test_old_xls_file_gets_its_own_hint(world):
    with pytest.raises(DomainError) as exc:
        _start(world.school_admin, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="生源.xls")
    assert exc.value.message == "不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx后上传"


def test_oversize_file_is_refused(world, settings):
    content = xlsx([person(1)])
    settings.ROSTER_MAX_UPLOAD_BYTES = len(content) - 1
    with pytest.raises(DomainError) as exc:
        _start(world.school_admin, content)
    assert exc.value.message.startswith("文件过大：不能超过")
    assert not RosterImport.objects.exists()


def test_oversize_message_names_the_limit_in_mb(world, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 30 * 1024 * 1024
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04")
    big.size = 30 * 1024 * 1024 + 1
    with pytest.raises(DomainError) as exc:
        services.roster_import_start(actor=world.school_admin, uploaded_file=big, cohort=world.school.current_cohort, mode="create")
    assert exc.value.message == "文件过大：不能超过30MB"


def test_empty_upload_is_refused(world):
    with pytest.raises(DomainError) as exc:
        _start(world.school_admin, b"")
    assert exc.value.message == "请选择要上传的Excel文件"


@pytest.mark.parametrize("cohort", ["abc", 1999, 2100])
def test_cohort_must_be_a_plausible_year(world, cohort):
    with pytest.raises(DomainError) as exc:
        _start(world.school_admin, xlsx([person(1)]), cohort=cohort)
    assert exc.value.message.startswith("届别应为4位年份")


def test_mode_must_be_known(world):
    with pytest.raises(DomainError) as exc:
        _start(world.school_admin, xlsx([person(1)]), mode="replace")
    assert exc.value.message == "请选择导入方式"


@pytest.mark.parametrize("persona", ["college_admin", "province_admin", "graduate_user", "employer_user"])
def test_only_school_staff_may_upload(world, persona):
    with pytest.raises(Forbidden):
        _start(getattr(world, persona), xlsx([person(1)]))


def test_file_is_stored_under_a_random_path_of_the_school(world, private_media):
    roster_import = _start(world.school_admin, xlsx([person(1)]), name="../../etc/2026届生源.xlsx")
    assert roster_import.original_name == "2026届生源.xlsx"
    assert roster_import.file.name.startswith(f"roster/{world.school.pk}/")
    assert "生源" not in roster_import.file.name
    assert (private_media / roster_import.file.name).is_file()


def test_zip_bomb_is_refused_before_parsing(world, settings):
    import io
    import zipfile

    settings.ROSTER_MAX_UPLOAD_BYTES = 100 * 1024
    settings.ROSTER_MAX_UNPACKED_BYTES = 1024 * 1024  # an absolute limit, whatever the zip's size
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<" * (3 * 1024 * 1024))  # 3 MB of XML → a few KB zipped
    assert len(buffer.getvalue()) < settings.ROSTER_MAX_UPLOAD_BYTES
    with pytest.raises(DomainError) as exc:
        _start(world.school_admin, buffer.getvalue())
    assert exc.value.message == "文件解压后过大，请拆分后分批导入"


def test_echoed_values_never_carry_a_whole_id_number(world, upload):
    from tests.roster.builders import id_number

    roster_import = upload(xlsx([person(1, 民族=id_number(9))]))
    message = roster_import.issues.get().message
    assert id_number(9) not in message and id_number(9)[:4] + "*" * 10 in message
