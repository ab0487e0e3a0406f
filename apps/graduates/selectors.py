from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from apps.accounts.models import Role
from apps.accounts.scoping import visible_to
from apps.core.listing import KEYWORD_MATCH_CAP, keyword_pks
from apps.core.text import normalise
from apps.graduates.models import Graduate
from apps.organisations.models import School


def graduate_keyword_ids(actor, keyword: str) -> list[int]:
    """姓名/学号 on a list of graduates' records (queues, agreements, archives …): the graduates in
    the actor's scope whose student number is the keyword or whose name starts with it — separate
    indexed lookups on the graduates table (apps.core.listing.keyword_pks), never one
    ``a = q OR b LIKE 'q%'`` predicate over the joined list. Callers filter ``graduate_id__in``."""
    graduates = visible_to(Graduate, actor)
    if getattr(actor, "school_id", None):  # college staff too: the (school, name) index serves the prefix
        graduates = graduates.filter(school_id=actor.school_id)
    return keyword_pks(graduates, keyword, exact=["student_number"], prefix=["name"])


# The staff list's one order (毕业生名单: school, newest cohort first, college, student number),
# served by graduate_school_list_idx for school and province staff and by
# graduate_college_list_idx once the college is fixed (college staff, or the college filter):
# scope + filters + ORDER BY + LIMIT then stop after one page instead of sorting the scope.
GRADUATE_LIST_ORDER = ("school_id", "-cohort", "college_id", "student_number", "id")

# What the list shows (and the API's summary): the encrypted phone numbers, addresses, PIN
# hash … are not read. The ID number is (one AES-GCM decryption per shown row) for its
# masked form.
GRADUATE_LIST_FIELDS = (
    "id", "school_id", "college_id", "major_id", "cohort", "student_number", "name", "education_level_code",
    "id_number", "school__name", "college__name", "major__name",
)


@dataclass(frozen=True)
class GraduateFilters:
    cohort: int | None = None
    school_id: int | None = None  # province staff narrow to one school
    college_id: int | None = None
    major_id: int | None = None
    education_level_code: str = ""
    keyword: str = ""  # exact student number or name prefix (学号 / 姓名开头)


def graduates_list(*, actor, filters: GraduateFilters) -> QuerySet[Graduate]:
    """Staff list (毕业生名单) in GRADUATE_LIST_ORDER; read it with apps.core.listing's
    bounded_page / bounded_api_page (no COUNT over the scope, no deep OFFSET).

    The keyword is two bounded, separately indexed lookups (exact student number:
    graduate_student_number_idx; name prefix: graduate_name_idx), never one OR predicate that
    defeats both indexes."""
    scoped = visible_to(Graduate, actor)
    if getattr(actor, "role", None) == Role.PROVINCE_STAFF:
        # The province scope is a join (school → province). SQLite then loops over the schools
        # and sorts all their graduates (10 s at 500,000); the same schools also given as
        # ``school_id IN (…)`` — a narrowing of what visible_to allows, never a widening —
        # let SQLite and PostgreSQL walk graduate_school_list_idx in order and stop at the LIMIT.
        scoped = scoped.filter(school_id__in=visible_to(School, actor).values("pk"))
    qs = scoped
    if filters.school_id:
        qs = qs.filter(school_id=filters.school_id)
    if filters.cohort:
        qs = qs.filter(cohort=filters.cohort)
    if filters.college_id:
        qs = qs.filter(college_id=filters.college_id)
    if filters.major_id:
        qs = qs.filter(major_id=filters.major_id)
    if filters.education_level_code:
        qs = qs.filter(education_level_code=filters.education_level_code)
    keyword, pks = normalise(filters.keyword), []
    if keyword:
        # the lookups start from the scope (and school/college filter: narrower index ranges)
        base = scoped
        if filters.school_id:
            base = base.filter(school_id=filters.school_id)
        if filters.college_id:
            base = base.filter(college_id=filters.college_id)
        pks = keyword_pks(base, keyword, exact=["student_number"], prefix=["name"], cap=KEYWORD_MATCH_CAP)
        qs = qs.filter(pk__in=pks)
    qs = qs.select_related("school", "college", "major").only(*GRADUATE_LIST_FIELDS).order_by(*GRADUATE_LIST_ORDER)
    # a lookup stopped at its cap: more people match than the list holds (「超过 N 条」)
    qs.keyword_capped = bool(keyword) and len(pks) >= KEYWORD_MATCH_CAP
    return qs


def keyword_capped_total(page, qs) -> None:
    """Say 「超过 N 条」 when the keyword found more people than a lookup returns."""
    if getattr(qs, "keyword_capped", False):
        page.total, page.total_capped = max(page.total, KEYWORD_MATCH_CAP), True
