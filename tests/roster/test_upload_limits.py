"""Roster files too big for the platform are refused cheaply: from what the zip declares and
a byte-level row count, never after parsing or validating them; and a broken file's report
keeps only the first issues (另有N条问题未列出)."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.core.errors import DomainError
from apps.roster import limits, parsing, services
from apps.roster.models import ImportStatus, RosterImport
from apps.roster.validation import RosterValidator
from tests.roster.builders import HEADERS, person, xlsx

pytestmark = pytest.mark.django_db

TOO_MANY = "文件超过{limit}行的上限，请拆分后分批导入"
TOO_LARGE_UNPACKED = "文件解压后过大，请拆分后分批导入"


# --- raw workbooks: written as XML, so a million-row sheet takes a second, not minutes ------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# The 说明 sheet comes first: the roster is found by its name, as openpyxl's reader does.
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="说明" sheetId="1" r:id="rId1"/><sheet name="生源" sheetId="2" r:id="rId2"/>'
    "</sheets></workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>'
)
_SHEET_OPEN = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _cells(values) -> str:
    return "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)


_SST_TYPE = ('<Override PartName="/xl/sharedStrings.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_SST_REL = ('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/>')
_SST_ITEM = b"<si><t>A</t></si>"


def raw_roster(data_rows: int, *, dimension: bool = True, rows_per_chunk: int = 10_000, tiny: bool = False,
               shared_strings: int = 0) -> bytes:
    """A roster workbook whose 生源 sheet has the template's header and `data_rows` copies of
    one valid row (`tiny`: of one number), written straight as XML (<dimension> present or
    not, as writers differ). `shared_strings`: add a shared-strings table (the part openpyxl
    loads whole) of about that many bytes, one short string repeated."""
    plain = [h.rstrip("*") for h in HEADERS]
    row = "<c><v>1</v></c>" if tiny else _cells(person(1).get(h, "") for h in plain)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        types, rels = _CONTENT_TYPES, _WORKBOOK_RELS
        if shared_strings:
            types = types.replace("</Types>", f"{_SST_TYPE}</Types>")
            rels = rels.replace("</Relationships>", f"{_SST_REL}</Relationships>")
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr("xl/worksheets/sheet1.xml", f"{_SHEET_OPEN}<sheetData/></worksheet>")
        with archive.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as sheet:
            head = f'<dimension ref="A1:U{data_rows + 1}"/>' if dimension else ""
            sheet.write(f"{_SHEET_OPEN}{head}<sheetData><row r=\"1\">{_cells(HEADERS)}</row>".encode())
            written = 0
            while written < data_rows:
                n = min(rows_per_chunk, data_rows - written)
                sheet.write("".join(f'<row r="{written + i + 2}">{row}</row>' for i in range(n)).encode())
                written += n
            sheet.write(b"</sheetData></worksheet>")
        if shared_strings:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
                member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                block = _SST_ITEM * (512 * 1024)  # 8.5 MB
                for _ in range(max(1, shared_strings // len(block))):
                    member.write(block)
                member.write(b"</sst>")
    return buffer.getvalue()


def zip_bomb(unpacked: int) -> bytes:
    """A well-formed roster workbook whose shared-strings table unpacks to about `unpacked`
    bytes (deflate shrinks one repeated string about a thousandfold)."""
    return raw_roster(1, shared_strings=unpacked)


@pytest.fixture(scope="module")
def bomb_550mb() -> bytes:
    return zip_bomb(550 * 1024 * 1024)


@pytest.fixture
def no_parsing(monkeypatch):
    """Fails the test if anything opens the workbook with openpyxl or validates a row."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(parsing.openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(RosterValidator, "validate", refuse)
    return calls


def _start(world, content: bytes):
    return services.roster_import_start(actor=world.school_admin, uploaded_file=SimpleUploadedFile("生源.xlsx", content),
                                        cohort=world.school.current_cohort, mode="create", client_address="127.0.0.1")


def _timed(fn):
    started = time.perf_counter()
    try:
        return fn(), time.perf_counter() - started
    except DomainError as exc:
        return exc, time.perf_counter() - started


# --- rows -------------------------------------------------------------------------------------

def test_raw_builder_gives_a_workbook_the_validator_reads(world, upload):
    roster_import = upload(raw_roster(3))
    # three copies of one person: rows 3 and 4 repeat row 2, which proves every row was read
    assert roster_import.total_rows == 3
    assert set(roster_import.issues.filter(is_warning=False).values_list("row_number", "message")) == {
        (3, "学号和学历层次与第2行重复"), (4, "学号和学历层次与第2行重复")}


def test_sheet_just_above_the_default_row_limit_is_refused_in_the_request_without_parsing(world, no_parsing,
                                                                                          settings):
    assert settings.ROSTER_MAX_ROWS == 50_000
    content = raw_roster(50_001)
    outcome, seconds = _timed(lambda: _start(world, content))
    assert isinstance(outcome, DomainError)
    assert outcome.message == TOO_MANY.format(limit=50_000)
    assert outcome.fields == {"file": TOO_MANY.format(limit=50_000)}
    assert seconds < 0.5, seconds
    assert no_parsing == []
    assert not RosterImport.objects.exists()


def test_a_million_rows_are_refused_as_fast_as_fifty_thousand_and_one(world, no_parsing):
    content = raw_roster(1_000_000, rows_per_chunk=100_000, tiny=True)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:  # within the unpacked limit: the rows decide
        assert sum(i.file_size for i in archive.infolist()) < 200 * 1024 * 1024
    outcome, seconds = _timed(lambda: _start(world, content))
    assert isinstance(outcome, DomainError) and outcome.message == TOO_MANY.format(limit=50_000)
    assert seconds < 0.5, seconds


def test_sheet_at_the_row_limit_is_accepted(world, upload, settings):
    settings.ROSTER_MAX_ROWS = 5
    roster_import = upload(xlsx([person(n) for n in range(1, 6)]))
    assert (roster_import.status, roster_import.total_rows) == (ImportStatus.VALID, 5)


def test_sheet_without_dimension_is_counted_by_the_worker_and_never_validated(world, upload, settings,
                                                                             monkeypatch):
    """A writer may leave <dimension> out: the request cannot see the rows, the worker counts
    them from the XML bytes and stops at the limit — no row is validated, one issue stored."""
    settings.ROSTER_MAX_ROWS = 1000
    validated = []
    monkeypatch.setattr(RosterValidator, "validate", lambda *a, **k: validated.append(1))
    content = raw_roster(20_000, dimension=False)
    roster_import, seconds = _timed(lambda: upload(content))
    assert roster_import.status == ImportStatus.INVALID
    assert list(roster_import.issues.values_list("row_number", "message")) == [(1, TOO_MANY.format(limit=1000))]
    assert roster_import.error_count == 1
    assert validated == []
    assert seconds < 2, seconds


def test_openpyxl_write_only_files_have_no_dimension_and_still_count(world, upload, settings):
    settings.ROSTER_MAX_ROWS = 4
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("生源")
    sheet.append(HEADERS)
    plain = [h.rstrip("*") for h in HEADERS]
    for n in range(1, 6):
        sheet.append([person(n).get(h) for h in plain])
    buffer = io.BytesIO()
    workbook.save(buffer)
    roster_import = upload(buffer.getvalue())
    assert roster_import.status == ImportStatus.INVALID
    assert roster_import.issues.get().message == TOO_MANY.format(limit=4)


@pytest.mark.parametrize("chunk", [3, 7, 64, 1 << 20])
def test_row_count_does_not_depend_on_where_chunks_split_tags(monkeypatch, chunk):
    monkeypatch.setattr(limits, "CHUNK", chunk)
    sheet = (
        f'{_SHEET_OPEN}<x:sheetData xmlns:x="urn:x"><row r="1"><c/></row><row r="2" spans="1:3"><c/></row>'
        '<row r="3"/><rowBreaks/><x:row r="4"><c/></x:row><row>text</row></x:sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("s.xml", sheet)
    with zipfile.ZipFile(buffer) as archive:
        # rows 1, 2, 4 and the last; the empty <row/> and <rowBreaks> are not rows; minus the header
        assert limits.count_rows(archive, "s.xml", stop_after=100) == 3
        assert limits.count_rows(archive, "s.xml", stop_after=1) == 2  # stopped early


# --- unpacked size ------------------------------------------------------------------------------

def test_zip_bomb_of_550_mb_is_refused_in_the_request_in_well_under_a_second(world, bomb_550mb, no_parsing,
                                                                            settings, private_media):
    assert len(bomb_550mb) < 2 * 1024 * 1024  # passes the 30 MB upload limit easily
    assert settings.ROSTER_MAX_UNPACKED_BYTES == 200 * 1024 * 1024
    outcome, seconds = _timed(lambda: _start(world, bomb_550mb))
    assert isinstance(outcome, DomainError) and outcome.message == TOO_LARGE_UNPACKED
    assert seconds < 0.3, seconds
    assert no_parsing == []
    assert not RosterImport.objects.exists()
    assert not [p for p in private_media.rglob("*") if p.is_file()] if private_media.exists() else True


def test_zip_bomb_is_refused_by_the_page_too(world, bomb_550mb, client):
    client.force_login(world.school_admin)
    url = reverse("roster-imports")
    assert client.get(url).status_code == 200  # a running server: URLs and templates loaded
    started = time.perf_counter()
    response = client.post(url, {
        "cohort": world.school.current_cohort, "mode": "create",
        "file": SimpleUploadedFile("生源.xlsx", bomb_550mb),
    })
    seconds = time.perf_counter() - started
    assert response.status_code == 400
    assert TOO_LARGE_UNPACKED in response.content.decode()
    assert seconds < 1, seconds


def test_shared_strings_alone_beyond_their_own_limit_are_refused(world, monkeypatch):
    monkeypatch.setattr(limits, "SHARED_STRINGS_LIMIT", 1024 * 1024)
    with pytest.raises(DomainError) as exc:
        _start(world, zip_bomb(2 * 1024 * 1024))
    assert exc.value.message == TOO_LARGE_UNPACKED


def test_zip_without_the_roster_sheet_part_is_not_a_workbook(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
    with pytest.raises(DomainError) as exc:
        _start(world, buffer.getvalue())
    assert exc.value.message == "文件不是有效的Excel（.xlsx）文件"


def test_workbook_part_with_an_entity_bomb_is_refused_not_expanded(world):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</workbook>'
    )
    content = raw_roster(1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, bomb if info.filename == "xl/workbook.xml" else source.read(info))
    with pytest.raises(DomainError) as exc:
        _start(world, buffer.getvalue())
    assert exc.value.message == "文件不是有效的Excel（.xlsx）文件"


# --- issue cap ----------------------------------------------------------------------------------

def _broken_rows(count: int):
    # each row: bad ID number, bad phone, bad graduation date (three errors)
    return [person(n, 身份证号="123", 手机号="12", 毕业日期="明年") for n in range(1, count + 1)]


def test_issues_beyond_the_cap_are_counted_not_stored(world, upload, settings):
    settings.ROSTER_MAX_STORED_ISSUES = 10
    roster_import = upload(xlsx(_broken_rows(8)))
    assert roster_import.status == ImportStatus.INVALID
    assert roster_import.error_count == 24  # every issue still counted
    assert roster_import.issues.count() == 10  # the first ten, in row order
    assert max(roster_import.issues.values_list("row_number", flat=True)) == 5
    assert roster_import.unlisted_issue_count == 14


def test_staff_see_how_many_issues_are_not_listed(world, upload, settings, client, api_client):
    settings.ROSTER_MAX_STORED_ISSUES = 10
    roster_import = upload(xlsx(_broken_rows(8)))
    client.force_login(world.school_admin)
    page = client.get(reverse("roster-import-detail", args=[roster_import.pk])).content.decode()
    assert "另有14条问题未列出" in page

    report = client.get(reverse("roster-import-issues-xlsx", args=[roster_import.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(report.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == "另有14条问题未列出"
    assert len(rows) == 2 + 10 + 1  # title, header, the stored issues, the note

    body = api_client.login_as(world.school_admin).get(f"/roster/imports/{roster_import.pk}").json()
    assert (body["unlisted_issue_count"], body["error_count"]) == (14, 24)


def test_a_complete_report_says_nothing_about_unlisted_issues(world, upload, client):
    roster_import = upload(xlsx(_broken_rows(2)))
    assert roster_import.unlisted_issue_count == 0
    client.force_login(world.school_admin)
    assert "未列出" not in client.get(reverse("roster-import-detail", args=[roster_import.pk])).content.decode()
