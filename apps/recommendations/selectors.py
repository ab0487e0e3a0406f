"""Reads of 就业推荐表; every query starts from `visible_to` (graduate: own forms; college staff:
their college's; school staff: their school's)."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.scoping import get_visible, visible_to
from apps.core.listing import keyword_pks
from apps.graduates.models import Graduate
from apps.recommendations.models import RecommendationForm, RecommendationStatus

S = RecommendationStatus
ALL_STATUSES = "all"
STATUS_FILTERS = ((S.REQUESTED.value, S.REQUESTED.label), (S.ISSUED.value, S.ISSUED.label),
                  (S.VOID.value, S.VOID.label), (ALL_STATUSES, "全部"))

# a queue row: the graduate's name, number and college come with it; the encrypted content
# and the opinion stay unread for a list of 30
QUEUE_COLUMNS = (
    "id", "graduate_id", "school_id", "college_id", "status", "status_changed_at", "requested_at",
    "reviewer_name", "opinion_date", "verification_code", "issued_at", "voided_at", "void_reason",
    "created_at", "replaced_by_id", "graduate__id", "graduate__name", "graduate__student_number",
    "graduate__cohort", "college__id", "college__name", "replaced_by__id", "replaced_by__verification_code",
)


def recommendations_queue(*, actor, status: str = S.REQUESTED, keyword: str = "") -> QuerySet[RecommendationForm]:
    """The staff queue. 待院系填写 (the default) oldest request first; the other states and 全部
    newest first. Served by (college|school, [status,] status_changed_at, id)."""
    qs = (visible_to(RecommendationForm, actor).select_related("graduate", "college", "replaced_by")
          .only(*QUEUE_COLUMNS))
    keyword = (keyword or "").strip()
    if keyword:
        graduates = visible_to(Graduate, actor)
        qs = qs.filter(graduate_id__in=keyword_pks(graduates, keyword, exact=("student_number",),
                                                   prefix=("name",)))
    if status == S.REQUESTED:
        return qs.filter(status=S.REQUESTED).order_by("status_changed_at", "id")
    if status in (S.ISSUED, S.VOID):
        return qs.filter(status=status).order_by("-status_changed_at", "-id")
    return qs.order_by("-status_changed_at", "-id")


def forms_of_graduate(*, actor, graduate_id: int) -> list[RecommendationForm]:
    """One graduate's forms, newest first (graduate, created_at, id); a handful per graduate."""
    return list(visible_to(RecommendationForm, actor).filter(graduate_id=graduate_id)
                .select_related("replaced_by").defer("content").order_by("-created_at", "-id"))


def current_form(forms: list[RecommendationForm]) -> RecommendationForm | None:
    """What the graduate's state is about: the waiting request, else the issued form, else the
    latest (void) one."""
    for status in (S.REQUESTED, S.ISSUED):
        found = next((f for f in forms if f.status == status), None)
        if found is not None:
            return found
    return forms[0] if forms else None


def issued_form(forms: list[RecommendationForm]) -> RecommendationForm | None:
    return next((f for f in forms if f.status == S.ISSUED), None)


def form_get(*, actor, pk) -> RecommendationForm:
    return get_visible(RecommendationForm.objects.select_related("graduate", "college", "school", "replaced_by"),
                       actor, pk=pk)


def own_issued_form(*, actor) -> RecommendationForm:
    """The graduate's current issued form (NotFound when there is none)."""
    return get_visible(RecommendationForm.objects.select_related("graduate"), actor, status=S.ISSUED)


def graduate_get(*, actor, pk) -> Graduate:
    return get_visible(Graduate.objects.select_related("school", "college", "major", "origin_division"), actor, pk=pk)
