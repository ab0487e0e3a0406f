"""Read side of 档案转寄: every query starts from what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from apps.accounts.scoping import visible_to
from apps.archives.models import ArchiveTransfer, TransferMethod, TransferStatus
from apps.core.text import normalise
from apps.graduates.selectors import graduate_keyword_ids

DEFERRED = "deferred"  # a status filter value of its own: 缓寄 records are not to be mailed
STATUS_FILTERS = {**dict(TransferStatus.choices), DEFERRED: "缓寄"}


@dataclass(frozen=True)
class ArchiveFilters:
    cohort: int | None = None
    college_id: int | None = None
    status: str = ""  # registered | sent | deferred
    transfer_method: str = ""
    keyword: str = ""  # student number, or the start of the name


def archive_of_graduate(*, actor, graduate_id: int) -> ArchiveTransfer | None:
    return (visible_to(ArchiveTransfer, actor).select_related("address_division")
            .filter(graduate_id=graduate_id).first())


# The graduate's wide and encrypted columns, never shown by the list or its export.
_GRADUATE_UNREAD = ("id_number", "phone", "family_contact_phone", "home_address", "email", "family_contact_name",
                    "family_contact_relation", "sponsor_unit", "signing_pin_hash")
# The list's one order: the college, then the records in the order they were registered.
# (Student number order would sort the joined graduates of the whole scope for every page;
# the (school|college, …, id) indexes serve this one, so a page stops after its LIMIT.)
ARCHIVE_LIST_ORDER = ("college_id", "id")


def archives_list(*, actor, filters: ArchiveFilters | None = None) -> QuerySet[ArchiveTransfer]:
    """Staff list (档案转寄) and export, in ARCHIVE_LIST_ORDER; the scope, status and method
    filters are the leading columns of the indexes that serve that order."""
    filters = filters or ArchiveFilters()
    qs = (visible_to(ArchiveTransfer, actor).select_related("graduate", "college", "address_division")
          .defer(*(f"graduate__{name}" for name in _GRADUATE_UNREAD)))
    if filters.cohort:
        qs = qs.filter(graduate__cohort=filters.cohort)
    if filters.college_id:
        qs = qs.filter(college_id=filters.college_id)
    if filters.status == DEFERRED:
        qs = qs.filter(deferred=True)
    elif filters.status in TransferStatus.values:
        qs = qs.filter(status=filters.status)
        if filters.status == TransferStatus.REGISTERED:
            qs = qs.filter(deferred=False)
    if filters.transfer_method in TransferMethod.values:
        qs = qs.filter(transfer_method=filters.transfer_method)
    keyword = normalise(filters.keyword)
    if keyword:
        qs = qs.filter(graduate_id__in=graduate_keyword_ids(actor, keyword))
    return qs.order_by(*ARCHIVE_LIST_ORDER)


def archives_by_ids(*, actor, ids, filters: ArchiveFilters | None = None) -> QuerySet[ArchiveTransfer]:
    """The selected rows among those the actor may see (ids of strangers are ignored)."""
    clean = []
    for value in ids or ():
        try:
            clean.append(int(value))
        except (TypeError, ValueError):
            continue
    return archives_list(actor=actor, filters=filters).filter(pk__in=clean)
