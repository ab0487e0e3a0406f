"""档案转寄登记 (C7): the one door for writing an archive-forwarding record.

- `archive_save`: the graduate registers or changes their own record (school staff in scope
  may correct it); refused for the graduate once the archive has been sent.
- `archive_set_tracking`: school staff enter tracking numbers; the record becomes 已寄出.
- `archive_tracking_import`: the same from an Excel file (学号, 快递单号, optional 寄出日期),
  all or nothing, with a row-by-row report.
- `archive_export`: the mailing list (.xlsx) of rows the actor may see; the export is audited
  because it carries the receiving contacts' phone numbers in full.

Every change is written in one transaction with an audit entry; phone numbers are masked in
the trail. Audit `changes` are keyed by the Chinese field label, so the graduate's and the
staff's change-history pages show them readably.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import SCHOOL_STAFF, require_role
from apps.accounts.scoping import visible_to
from apps.archives.models import ArchiveTransfer, TransferMethod, TransferStatus
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.core.text import mask_phone, normalise
from apps.graduates.fields import LANDLINE, MOBILE
from apps.graduates.models import Graduate
from apps.registry.outbox import ARCHIVE, registry_enqueue

ALREADY_SENT = "档案已寄出，如需修改请联系学校"
TRACKING_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
TRACKING_MAX_ROWS = 20_000
POST_CODE = re.compile(r"^\d{6}$")
# Lenient on purpose: EMS numbers look like EA123456789CN or 10–20 digits, 机要 and couriers
# use other formats. Letters, digits and hyphens, 5–30 characters.
TRACKING_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{4,29}$")

# form field → label (also the key of audit `changes` and of error `fields`)
LABELS = {
    "receiving_unit_name": "档案接收单位名称",
    "receiving_department": "接收档案部门",
    "address_division": "档案接收单位所在地",
    "street_address": "详细地址",
    "post_code": "邮政编码",
    "contact_person": "档案接收联系人",
    "contact_phone": "档案接收联系电话",
    "transfer_method": "档案转递方式",
    "accepts_archive": "是否接受档案",
    "accepts_household": "是否接受户口",
    "household_address": "户口迁移地址",
    "deferred": "是否缓寄",
    "deferred_reason": "缓寄原因",
}
FORM_FIELDS = tuple(LABELS)
_TRUE = {"1", "true", "on", "yes", "y", "是", "t"}


# --- defaults ------------------------------------------------------------------------------

@dataclass
class ArchiveDefaults:
    """A proposal shown to the graduate before the first save; nothing is stored."""

    source: str  # "destination" | "origin" | "none"
    message: str
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def origin_missing(self) -> bool:
        return self.source == "none"


# HOOK (C4 毕业去向登记) ------------------------------------------------------------------
# When the destination app provides it, this function proposes the employer itself as the
# receiver: `archive_receiver(graduate) -> dict | None`, returning the keys of FORM_FIELDS
# (address_division as a six-digit code) when the graduate's destination is an employer that
# holds archives (党政机关、国有企业、事业单位 with a personnel department), and None
# otherwise (private employers, further study, not employed …). Until it exists the talent
# service centre of the 生源所在地 county is proposed.
DESTINATION_HOOK = "apps.destinations.selectors.archive_receiver"


def _destination_proposal(graduate: Graduate) -> dict | None:
    from django.apps import apps as django_apps
    from django.utils.module_loading import import_string

    if not django_apps.is_installed("apps.destinations"):
        return None
    try:
        receiver = import_string(DESTINATION_HOOK)
    except ImportError:
        return None
    return receiver(graduate) or None


def archive_defaults(graduate: Graduate) -> ArchiveDefaults:
    """What to propose when the graduate first opens the page.

    1. The employer from the destination, when it holds archives (see DESTINATION_HOOK).
    2. Otherwise the public talent service centre of the 生源所在地 county, which keeps the
       archive free of charge: "{county}人才服务中心", sent by EMS.
    3. No 生源所在地 yet: only the method; the page asks to maintain 生源信息 first."""
    base = {"transfer_method": TransferMethod.EMS.value, "accepts_archive": True, "accepts_household": False,
            "deferred": False}
    proposal = _destination_proposal(graduate)
    if proposal:
        return ArchiveDefaults(
            source="destination",
            message="根据您的毕业去向，建议将档案转寄至就业单位。请与单位人事部门核实接收地址和联系人。",
            values={**base, **proposal},
        )
    division = graduate.origin_division if graduate.origin_division_id else None
    if division is None or not division.is_county_level or not division.is_current:
        return ArchiveDefaults(
            source="none",
            message="您尚未维护生源所在地（到区县），系统无法建议档案接收单位。请先到“生源信息”维护生源所在地。",
            values=base,
        )
    return ArchiveDefaults(
        source="origin",
        message=(f"建议将档案转寄至生源所在地{division.full_name}的公共人才服务机构（免费保管）。"
                 "请向该机构核实准确名称、地址、邮编和联系人后保存。"),
        values={**base, "receiving_unit_name": f"{division.name}人才服务中心", "address_division": division.code},
    )


# --- validation ----------------------------------------------------------------------------

def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return normalise("" if value is None else str(value)).lower() in _TRUE


def _text(value) -> str:
    return ("" if value is None else str(value)).strip()


def _clean_division(code: str, errors: dict) -> Any:
    from apps.reference.models import Division

    division = Division.objects.filter(code=code, is_current=True).first()
    if division is None:
        errors["address_division"] = "行政区划代码不存在或已撤销，请重新选择"
    elif not division.is_county_level:
        errors["address_division"] = "档案接收单位所在地须选择到具体的区县，不能只选省或市"
    return division


def clean_phone(value) -> str:
    """Mobile or landline (0551-12345678), the same rules as the family phone."""
    value = normalise(value)
    if value and not (MOBILE.match(value) or LANDLINE.match(value)):
        raise DomainError("请输入正确的手机号码或固定电话（如0551-12345678）")
    return value


def archive_clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a whole record (PUT semantics: a missing key is an empty value). Raises one
    DomainError with every field's Chinese message in `fields`."""
    errors: dict[str, str] = {}
    deferred = _bool(data.get("deferred"))
    cleaned: dict[str, Any] = {"deferred": deferred}
    lengths = {"receiving_unit_name": 100, "receiving_department": 100, "street_address": 200,
               "contact_person": 50, "household_address": 200, "deferred_reason": 200}
    for name, limit in lengths.items():
        cleaned[name] = _text(data.get(name))
        if len(cleaned[name]) > limit:
            errors[name] = f"不超过{limit}个字"
    required = {
        "receiving_unit_name": "请填写档案接收单位名称",
        "street_address": "请填写详细地址（街道、楼栋、门牌号）",
        "contact_person": "请填写档案接收联系人",
    }
    if not deferred:
        for name, message in required.items():
            if not cleaned[name] and name not in errors:
                errors[name] = message
    elif not cleaned["deferred_reason"]:
        errors["deferred_reason"] = "申请缓寄请填写缓寄原因"
    if not deferred:
        cleaned["deferred_reason"] = ""

    code = normalise(data.get("address_division"))
    cleaned["address_division"] = None
    if code:
        cleaned["address_division"] = _clean_division(code, errors)
    elif not deferred:
        errors["address_division"] = "请选择档案接收单位所在地（到区县）"

    post_code = normalise(data.get("post_code"))
    if post_code and not POST_CODE.match(post_code):
        errors["post_code"] = "邮政编码应为6位数字"
    elif not post_code and not deferred:
        errors["post_code"] = "请填写邮政编码（6位数字）"
    cleaned["post_code"] = post_code

    try:
        cleaned["contact_phone"] = clean_phone(data.get("contact_phone"))
    except DomainError as exc:
        errors["contact_phone"] = exc.message
        cleaned["contact_phone"] = ""
    if not cleaned["contact_phone"] and not deferred and "contact_phone" not in errors:
        errors["contact_phone"] = "请填写档案接收联系电话"

    method = normalise(data.get("transfer_method")) or ""
    by_label = {label: value for value, label in TransferMethod.choices}
    method = by_label.get(method, method)
    if method not in TransferMethod.values:
        errors["transfer_method"] = "请选择档案转递方式（EMS、机要或单位专人）"
    cleaned["transfer_method"] = method

    cleaned["accepts_archive"] = _bool(data.get("accepts_archive"))
    cleaned["accepts_household"] = _bool(data.get("accepts_household"))
    if not cleaned["accepts_household"]:
        cleaned["household_address"] = ""

    if errors:
        first = next(name for name in FORM_FIELDS if name in errors)
        raise DomainError(f"{LABELS[first]}：{errors[first]}", code="invalid", fields=errors)
    return cleaned


def _display(name: str, value) -> str:
    """A value as shown in the audit trail (phones masked)."""
    if name == "contact_phone":
        return mask_phone(value)
    if name == "address_division":
        return f"{value.code} {value.full_name}" if value is not None else ""
    if name == "transfer_method":
        return TransferMethod(value).label if value in TransferMethod.values else (value or "")
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


# --- the graduate's record -----------------------------------------------------------------

def _assert_may_edit(actor, graduate: Graduate) -> None:
    """The graduate for their own record; school staff for graduates of their school."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden()
    if actor.role == Role.GRADUATE:
        if actor.graduate_id != graduate.pk:
            raise NotFound()
        return
    if actor.role == Role.SCHOOL_STAFF:
        if actor.school_id != graduate.school_id:
            raise NotFound()
        return
    raise Forbidden("只有毕业生本人或学校管理员可以修改档案转寄信息")


def archive_save(*, actor, graduate: Graduate, data: Mapping[str, Any], client_address: str = "") -> ArchiveTransfer:
    """Register or change the archive-forwarding record of `graduate` (whole record)."""
    _assert_may_edit(actor, graduate)
    cleaned = archive_clean(data)
    with transaction.atomic():
        locked = Graduate.objects.select_for_update().get(pk=graduate.pk)
        transfer = (ArchiveTransfer.objects.select_for_update(of=("self",)).select_related("address_division")
                    .filter(graduate=locked).first())
        created = transfer is None
        if created:
            transfer = ArchiveTransfer(graduate=locked)
        elif transfer.is_sent and actor.role == Role.GRADUATE:
            raise DomainError(ALREADY_SENT, code="already_sent")
        diff: dict[str, list[str]] = {}
        for name in FORM_FIELDS:
            value = cleaned[name]
            if created:
                if value not in (None, ""):
                    diff[LABELS[name]] = ["", _display(name, value)]
            else:
                before = getattr(transfer, name)
                if getattr(before, "pk", before) == getattr(value, "pk", value):
                    continue
                diff[LABELS[name]] = [_display(name, before), _display(name, value)]
            setattr(transfer, name, value)
        moved = (transfer.school_id, transfer.college_id) != (locked.school_id, locked.college_id)
        transfer.school_id, transfer.college_id = locked.school_id, locked.college_id
        if not diff and not moved:
            return transfer
        transfer.save()
        if diff:
            # 全国登记系统报送 (a move of school/college alone changes nothing the registry holds)
            registry_enqueue(graduate=locked, reason=ARCHIVE, actor=actor)
            audit_record(
                actor=actor,
                action="archive.register" if created else "archive.update",
                summary=("登记档案转寄信息" if created else "修改档案转寄信息")
                + (f"：{transfer.receiving_unit_name}" if transfer.receiving_unit_name else "（缓寄）"),
                target=transfer,
                school_id=locked.school_id,
                college_id=locked.college_id,
                graduate_id=locked.pk,
                changes=diff,
                client_address=client_address,
            )
    return transfer


# --- tracking numbers ----------------------------------------------------------------------

def clean_tracking_number(value) -> str:
    number = normalise(value).upper()
    if not number:
        raise DomainError("请填写快递单号")
    if len(number) > 30:
        raise DomainError("快递单号不超过30位")
    if not TRACKING_NUMBER.match(number):
        raise DomainError("快递单号应为5～30位字母、数字或连字符（如EMS单号EA123456789CN）")
    return number


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _sent_moment(sent_on: date | datetime | None) -> datetime:
    if sent_on is None:
        return timezone.now()
    if isinstance(sent_on, datetime):
        return sent_on if timezone.is_aware(sent_on) else timezone.make_aware(sent_on)
    return timezone.make_aware(datetime.combine(sent_on, time(12, 0)))


def _apply_tracking(*, actor, entries: list[tuple[ArchiveTransfer, str, date | None]], client_address: str) -> list[
        ArchiveTransfer]:
    """Inside a transaction: write cleaned, locked entries and audit each change."""
    changed = []
    for transfer, number, sent_on in entries:
        if transfer.is_sent and transfer.tracking_number == number and sent_on is None:
            continue
        before_status, before_number = transfer.get_status_display(), transfer.tracking_number
        transfer.tracking_number = number
        if not transfer.is_sent or sent_on is not None:
            transfer.sent_at = _sent_moment(sent_on)
        transfer.status = TransferStatus.SENT
        transfer.sent_by = actor
        transfer.save(update_fields=["tracking_number", "status", "sent_at", "sent_by", "updated_at"])
        changes = {"快递单号": [before_number, number]}
        if before_status != transfer.get_status_display():
            changes["状态"] = [before_status, transfer.get_status_display()]
        if sent_on is not None:
            changes["寄出日期"] = ["", timezone.localtime(transfer.sent_at).date().isoformat()]
        audit_record(
            actor=actor, action="archive.sent",
            summary=f"登记档案寄出：{transfer.graduate.name}，{transfer.get_transfer_method_display()} {number}",
            target=transfer, school_id=transfer.school_id, college_id=transfer.college_id,
            graduate_id=transfer.graduate_id, changes=changes, client_address=client_address,
        )
        changed.append(transfer)
    return changed


def _lock_visible(actor, ids: Iterable[int]) -> dict[int, ArchiveTransfer]:
    return {
        t.pk: t for t in visible_to(ArchiveTransfer, actor).select_for_update(of=("self",))
        .select_related("graduate").filter(pk__in=set(ids))
    }


def archive_set_tracking(
    *, actor, transfers_and_numbers: Sequence[tuple[ArchiveTransfer, str] | tuple[ArchiveTransfer, str, date | None]],
    client_address: str = "",
) -> list[ArchiveTransfer]:
    """School staff: set the tracking number of each transfer (status → 已寄出, sent now or on
    the given date). All or nothing: one bad number, a deferred record or a record outside the
    actor's scope changes nothing. Returns the records that changed."""
    require_role(actor, SCHOOL_STAFF)
    items = [(item[0], item[1], item[2] if len(item) > 2 else None) for item in transfers_and_numbers]
    if not items:
        raise DomainError("请至少填写一个快递单号", code="empty")
    with transaction.atomic():
        locked = _lock_visible(actor, (t.pk for t, _, _ in items))
        errors: dict[str, str] = {}
        entries = []
        seen: set[int] = set()
        for transfer, raw, sent_on in items:
            current = locked.get(transfer.pk)
            if current is None:
                raise NotFound()
            key = current.graduate.student_number
            if current.pk in seen:
                errors[key] = "同一名毕业生出现多次"
                continue
            seen.add(current.pk)
            if current.deferred:
                errors[key] = "该毕业生申请了缓寄，不能登记寄出"
                continue
            if sent_on is not None and _as_date(sent_on) > timezone.localdate():
                errors[key] = "寄出日期不能晚于今天"
                continue
            try:
                entries.append((current, clean_tracking_number(raw), sent_on))
            except DomainError as exc:
                errors[key] = exc.message
        if errors:
            first = next(iter(errors))
            raise DomainError(f"学号{first}：{errors[first]}", code="invalid", fields=errors)
        return _apply_tracking(actor=actor, entries=entries, client_address=client_address)


# --- Excel import of tracking numbers ------------------------------------------------------

@dataclass
class ImportRow:
    row_number: int
    student_number: str
    name: str = ""
    tracking_number: str = ""
    result: str = "ok"  # ok | unchanged | skipped | error
    message: str = ""


@dataclass
class TrackingImportReport:
    file_name: str
    rows: list[ImportRow] = field(default_factory=list)
    applied: bool = False
    updated: int = 0

    @property
    def errors(self) -> list[ImportRow]:
        return [r for r in self.rows if r.result == "error"]

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def skipped_count(self) -> int:
        return sum(1 for r in self.rows if r.result == "skipped")

    @property
    def message(self) -> str:
        if self.applied:
            return f"已登记{self.updated}个快递单号" + (f"，{self.skipped_count}行未填写单号已跳过" if self.skipped_count else "")
        return f"文件中有{self.error_count}行错误，未登记任何快递单号。请修改后重新上传。"


_HEADERS = {"学号": "student_number", "快递单号": "tracking_number", "寄出日期": "sent_on"}


def _check_upload(uploaded_file) -> None:
    from apps.roster.parsing import UnreadableFile, looks_like_xls, looks_like_xlsx, open_workbook

    if uploaded_file is None or not getattr(uploaded_file, "size", 0):
        raise DomainError("请选择要上传的Excel文件", fields={"file": "请选择文件"})
    if uploaded_file.size > TRACKING_MAX_UPLOAD_BYTES:
        raise DomainError("文件过大：不能超过5MB", code="too_large", fields={"file": "文件过大"})
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if looks_like_xls(head):
        raise DomainError("不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx后上传", code="not_xlsx")
    if not looks_like_xlsx(head):
        raise DomainError("文件不是有效的Excel（.xlsx）文件", code="not_xlsx")
    try:
        open_workbook(uploaded_file).close()
    except UnreadableFile:
        raise DomainError("文件不是有效的Excel（.xlsx）文件", code="not_xlsx") from None
    finally:
        uploaded_file.seek(0)


def _read_rows(uploaded_file) -> list[tuple[int, dict[str, Any]]]:
    from apps.roster.parsing import open_workbook

    workbook = open_workbook(uploaded_file)
    try:
        sheet = workbook.worksheets[0]
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        positions: dict[str, int] = {}
        for index, value in enumerate(header):
            key = _HEADERS.get(normalise("" if value is None else str(value)).replace("*", ""))
            if key and key not in positions:
                positions[key] = index
        missing = [label for label, key in _HEADERS.items() if key != "sent_on" and key not in positions]
        if missing:
            raise DomainError(f"第一行缺少列：{'、'.join(missing)}。请使用“导出邮寄清单”得到的文件填写快递单号",
                              code="missing_columns")
        rows = []
        for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            values = {key: (cells[i] if i < len(cells) else None) for key, i in positions.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
                continue
            rows.append((number, values))
            if len(rows) > TRACKING_MAX_ROWS:
                raise DomainError(f"一次最多导入{TRACKING_MAX_ROWS}行", code="too_many_rows")
        return rows
    finally:
        workbook.close()


def archive_tracking_import(*, actor, uploaded_file, client_address: str = "") -> TrackingImportReport:
    """School staff: tracking numbers from an .xlsx with the columns 学号 and 快递单号
    (optional 寄出日期) — the exported mailing list with 快递单号 filled in works as is.

    Student numbers are looked up among the archive records the actor may see, in the
    school's current cohort. Rows without a 快递单号 are skipped. Any error row (unknown
    student number, no registration, 缓寄, bad number or date, duplicate) means nothing is
    written; the report says what happened to every row."""
    from apps.roster.parsing import cell_text, parse_date

    require_role(actor, SCHOOL_STAFF)
    _check_upload(uploaded_file)
    report = TrackingImportReport(file_name=(PurePath((uploaded_file.name or "").replace("\\", "/")).name
                                             or "tracking.xlsx")[:200])
    raw_rows = _read_rows(uploaded_file)
    if not raw_rows:
        raise DomainError("文件中没有数据行", code="empty")
    cohort = actor.school.current_cohort
    student_numbers = {normalise(cell_text(v.get("student_number"))) for _, v in raw_rows}
    graduates: dict[str, list[Graduate]] = {}
    for g in visible_to(Graduate, actor).filter(cohort=cohort, student_number__in=student_numbers):
        graduates.setdefault(g.student_number, []).append(g)

    with transaction.atomic():
        graduate_ids = [g.pk for group in graduates.values() for g in group]
        by_graduate = {
            t.graduate_id: t for t in visible_to(ArchiveTransfer, actor).select_for_update(of=("self",))
            .select_related("graduate").filter(graduate_id__in=graduate_ids)
        }
        entries: list[tuple[ArchiveTransfer, str, date | None]] = []
        first_row: dict[str, int] = {}
        for row_number, values in raw_rows:
            student_number = normalise(cell_text(values.get("student_number")))
            row = ImportRow(row_number=row_number, student_number=student_number)
            report.rows.append(row)
            raw_number = cell_text(values.get("tracking_number"))
            matches = graduates.get(student_number, [])
            row.name = matches[0].name if len(matches) == 1 else ""
            if not student_number:
                row.result, row.message = "error", "学号为空"
                continue
            if student_number in first_row:
                row.result, row.message = "error", f"学号与第{first_row[student_number]}行重复"
                continue
            first_row[student_number] = row_number
            if not matches:
                row.result, row.message = "error", f"学号不存在，或不是本校{cohort}届（您管理范围内）的毕业生"
                continue
            if len(matches) > 1:
                row.result, row.message = "error", "该学号对应多条毕业生记录（不同学历层次），请在页面上逐个登记"
                continue
            if not normalise(raw_number):
                row.result, row.message = "skipped", "未填写快递单号，跳过"
                continue
            transfer = by_graduate.get(matches[0].pk)
            if transfer is None:
                row.result, row.message = "error", "该毕业生尚未登记档案转寄信息"
                continue
            if transfer.deferred:
                row.result, row.message = "error", "该毕业生申请了缓寄，不能登记寄出"
                continue
            try:
                row.tracking_number = clean_tracking_number(raw_number)
            except DomainError as exc:
                row.tracking_number = normalise(raw_number)[:30]
                row.result, row.message = "error", exc.message
                continue
            sent_on = None
            raw_date = values.get("sent_on")
            if raw_date not in (None, ""):
                sent_on = parse_date(raw_date)
                if sent_on is None or sent_on > timezone.localdate():
                    row.result, row.message = "error", "寄出日期格式应为YYYY-MM-DD，且不能晚于今天"
                    continue
            if transfer.is_sent and transfer.tracking_number == row.tracking_number and sent_on is None:
                row.result, row.message = "unchanged", "单号未变化"
                continue
            row.message = "更正单号" if transfer.is_sent else "登记寄出"
            entries.append((transfer, row.tracking_number, sent_on))
        if report.error_count:
            return report
        changed = _apply_tracking(actor=actor, entries=entries, client_address=client_address)
        report.applied, report.updated = True, len(changed)
        audit_record(
            actor=actor, action="archive.tracking_import",
            summary=f"导入快递单号：{report.file_name}，登记{report.updated}条", target=None,
            school_id=actor.school_id, changes={"行数": len(report.rows), "登记": report.updated,
                                                "跳过": report.skipped_count},
            client_address=client_address,
        )
    return report


# --- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = ("学号", "姓名", "院系", "接收单位", "接收部门", "地址（省市区县+详细地址）", "邮编", "联系人",
                  "联系电话", "转递方式", "快递单号", "备注")
_TEXT_COLUMNS = {"学号", "邮编", "联系电话", "快递单号"}
_WIDTHS = {"学号": 14, "姓名": 10, "院系": 16, "接收单位": 28, "接收部门": 14, "地址（省市区县+详细地址）": 44,
           "邮编": 9, "联系人": 10, "联系电话": 16, "转递方式": 22, "快递单号": 20, "备注": 20}


def _export_row(t: ArchiveTransfer) -> list[str]:
    note = f"缓寄：{t.deferred_reason}" if t.deferred else ""
    return [t.graduate.student_number, t.graduate.name, t.college.name, t.receiving_unit_name,
            t.receiving_department, t.full_address, t.post_code, t.contact_person, t.contact_phone,
            t.get_transfer_method_display(), t.tracking_number, note]


def archive_export(*, actor, transfers: Iterable[ArchiveTransfer], client_address: str = "") -> bytes:
    """The mailing list (邮寄清单) as .xlsx. `transfers` must come from the actor's scope
    (selectors.archives_list / archives_by_ids); the contact phone is exported in full — the
    courier needs it — and the export itself is audited. Written through apps.core.exports:
    the forwarding fields are typed by graduates and must never become live formulas."""
    from apps.accounts.permissions import REVIEWERS
    from apps.core.exports import Column, XlsxBook

    require_role(actor, REVIEWERS)
    book = XlsxBook()
    sheet = book.sheet("邮寄清单", [Column(h, _WIDTHS[h], text=h in _TEXT_COLUMNS) for h in EXPORT_COLUMNS])
    count = 0
    for transfer in transfers:
        sheet.append(_export_row(transfer))
        count += 1
    content = book.to_bytes()
    with transaction.atomic():
        audit_record(actor=actor, action="archive.export", summary=f"导出档案邮寄清单：{count}条", target=None,
                     school_id=actor.school_id, college_id=actor.college_id, changes={"条数": count},
                     client_address=client_address)
    return content
