"""Reads of the corrections workflow; every query starts from `visible_to`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.scoping import get_visible, visible_to
from apps.core.listing import province_first
from apps.core.text import normalise
from apps.corrections.models import Correction, CorrectionImage, CorrectionKind, CorrectionStatus
from apps.graduates.selectors import graduate_keyword_ids

ALL_STATUSES = "all"


@dataclass(frozen=True)
class CorrectionFilters:
    status: str = CorrectionStatus.PENDING  # "all" for every status
    kind: str = ""
    college_id: int | None = None
    keyword: str = ""  # graduate's name (prefix) or student number (exact)


# What one queue row shows (page and API): the encrypted proposed value, the explanation and
# the graduate's encrypted columns stay unread for a list of 30 (the API adds the ID number for
# its masked form).
QUEUE_COLUMNS = (
    "id", "graduate_id", "school_id", "college_id", "kind", "field", "current_value", "proposed_display",
    "explanation", "status", "decided_at", "decision_note", "promised_by", "created_at",
    "graduate__id", "graduate__name", "graduate__student_number", "college__id", "college__name",
)


def _image_count():
    """Images per correction as a correlated subquery: evaluated for the page's rows only
    (a ``Count`` join would GROUP BY the whole scope before the LIMIT)."""
    counted = (CorrectionImage.objects.filter(correction=OuterRef("pk")).order_by().values("correction")
               .annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def corrections_queue(*, actor, filters: CorrectionFilters, with_id_number: bool = False) -> QuerySet[Correction]:
    """The staff queue (信息纠错待办): one query per page whatever its length (graduate, college
    and the image count come with the rows). Pending ones oldest first (the most urgent on top),
    others newest first — both served by the (school|college, status, created_at, id) indexes,
    and "all" by (school|college, created_at, id), so a page stops after its LIMIT."""
    columns = (*QUEUE_COLUMNS, "graduate__id_number") if with_id_number else QUEUE_COLUMNS
    qs = (visible_to(Correction, actor).select_related("graduate", "college").only(*columns)
          .annotate(image_count=_image_count()))
    if filters.status in CorrectionStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.kind in CorrectionKind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.college_id:
        qs = qs.filter(college_id=filters.college_id)
    keyword = normalise(filters.keyword)
    if keyword:
        qs = qs.filter(graduate_id__in=graduate_keyword_ids(actor, keyword))
    if filters.status == CorrectionStatus.PENDING:
        return qs.order_by(*province_first(actor, "created_at", "id"))
    return qs.order_by(*province_first(actor, "-created_at", "-id"))


def corrections_of_graduate(*, actor) -> QuerySet[Correction]:
    """The graduate's own corrections, newest first."""
    return visible_to(Correction, actor).annotate(image_count=Count("images")).order_by("-created_at", "-id")


def correction_get(*, actor, pk) -> Correction:
    """One correction the actor may see (strangers' ids → NotFound), with its images."""
    qs = Correction.objects.select_related("graduate", "graduate__college", "graduate__major", "college",
                                           "decided_by").prefetch_related("images")
    return get_visible(qs, actor, pk=pk)


def correction_image_get(*, actor, correction_id, image_id) -> CorrectionImage:
    return get_visible(CorrectionImage, actor, pk=image_id, correction_id=correction_id)


def pending_fields(*, graduate_id: int) -> set[str]:
    """Fields of this graduate with a correction waiting (the 去纠错 form says so)."""
    return set(Correction.objects.filter(graduate_id=graduate_id, status=CorrectionStatus.PENDING)
               .exclude(field="").values_list("field", flat=True))
