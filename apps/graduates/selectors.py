from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.accounts.scoping import visible_to
from apps.core.text import normalise
from apps.graduates.models import Graduate


@dataclass(frozen=True)
class GraduateFilters:
    cohort: int | None = None
    college_id: int | None = None
    major_id: int | None = None
    education_level_code: str = ""
    keyword: str = ""  # name or student number


def graduates_list(*, actor, filters: GraduateFilters) -> QuerySet[Graduate]:
    """Staff list; every filter here is backed by an index on Graduate."""
    qs = visible_to(Graduate, actor).select_related("school", "college", "major")
    if filters.cohort:
        qs = qs.filter(cohort=filters.cohort)
    if filters.college_id:
        qs = qs.filter(college_id=filters.college_id)
    if filters.major_id:
        qs = qs.filter(major_id=filters.major_id)
    if filters.education_level_code:
        qs = qs.filter(education_level_code=filters.education_level_code)
    keyword = normalise(filters.keyword)
    if keyword:
        qs = qs.filter(Q(student_number=keyword) | Q(name__startswith=keyword))
    return qs.order_by("college_id", "student_number", "id")
