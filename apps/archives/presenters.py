"""How an archive record is shown: to its owner in full, to staff with the phone masked."""

from __future__ import annotations

from apps.archives.models import ArchiveTransfer, TransferMethod

NOT_REGISTERED = "未登记"


def tracking_hint(transfer: ArchiveTransfer | None) -> str:
    if transfer is None or not transfer.is_sent:
        return ""
    if transfer.transfer_method == TransferMethod.EMS:
        return "可凭单号在EMS官网查询"
    return "可凭单号向学校或档案接收单位查询"


def _common(t: ArchiveTransfer) -> dict:
    return {
        "receiving_unit_name": t.receiving_unit_name,
        "receiving_department": t.receiving_department,
        "address_division_code": t.address_division_id or "",
        "address_division_name": t.address_division.full_name if t.address_division_id else "",
        "street_address": t.street_address,
        "full_address": t.full_address,
        "post_code": t.post_code,
        "contact_person": t.contact_person,
        "transfer_method": t.transfer_method,
        "transfer_method_label": t.get_transfer_method_display(),
        "accepts_archive": t.accepts_archive,
        "accepts_household": t.accepts_household,
        "household_address": t.household_address,
        "deferred": t.deferred,
        "deferred_reason": t.deferred_reason,
        "status": t.status,
        "status_label": t.get_status_display(),
        "tracking_number": t.tracking_number,
        "sent_at": t.sent_at,
        "updated_at": t.updated_at,
    }


def archive_own(transfer: ArchiveTransfer | None) -> dict:
    """The owner's view: the receiving contact's phone in full (they entered it)."""
    if transfer is None:
        return {"registered": False, "editable": True, "status": "", "status_label": NOT_REGISTERED,
                "tracking_hint": ""}
    return {**_common(transfer), "registered": True, "editable": not transfer.is_sent,
            "contact_phone": transfer.contact_phone, "tracking_hint": tracking_hint(transfer)}


def archive_staff_row(transfer: ArchiveTransfer) -> dict:
    """Staff lists: the phone masked (the full number only in the audited export)."""
    g = transfer.graduate
    return {**_common(transfer), "id": transfer.pk, "graduate_id": g.pk, "student_number": g.student_number,
            "name": g.name, "cohort": g.cohort, "college": transfer.college.name,
            "contact_phone_masked": transfer.masked_contact_phone}
