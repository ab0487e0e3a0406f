"""Reads of the corrections workflow; every query starts from `visible_to`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from apps.accounts.scoping import get_visible, visible_to
from apps.core.text import normalise
from apps.corrections.models import Correction, CorrectionImage, CorrectionKind, CorrectionStatus

ALL_STATUSES = "all"


@dataclass(frozen=True)
class CorrectionFilters:
    status: str = CorrectionStatus.PENDING  # "all" for every status
    kind: str = ""
    college_id: int | None = None
    keyword: str = ""  # graduate's name (prefix) or student number (exact)


def corrections_queue(*, actor, filters: CorrectionFilters) -> QuerySet[Correction]:
    """The staff queue: one query per page whatever its length (graduate, college and the
    image count come with the rows). Pending ones oldest first (the most urgent on top)."""
    qs = visible_to(Correction, actor).select_related("graduate", "college", "decided_by").annotate(
        image_count=Count("images"))
    if filters.status in CorrectionStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.kind in CorrectionKind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.college_id:
        qs = qs.filter(college_id=filters.college_id)
    keyword = normalise(filters.keyword)
    if keyword:
        qs = qs.filter(Q(graduate__student_number=keyword) | Q(graduate__name__startswith=keyword))
    if filters.status == CorrectionStatus.PENDING:
        return qs.order_by("created_at", "id")
    return qs.order_by("-created_at", "-id")


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
