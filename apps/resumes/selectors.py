"""Reads of 简历维护 (C8).

The graduate's own resume starts from `visible_to(Resume/ResumeItem, actor)`. Employers are
not in the models' `scope` (a resume belongs to no employer): what an employer may read is
decided here, in ONE place, by `resumes_discoverable_to(actor)` — resumes whose graduate
switched on 允许已认证单位查找我的简历, in the employer's channel (verified by the province:
graduates of that province's schools; verified by a school: that school's graduates), for a
verified employer only. Everything else is a missing resume (404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import Forbidden, NotFound
from apps.graduates.models import Graduate
from apps.organisations.models import Employer, EmployerStatus, Major, School
from apps.resumes.models import Resume, ResumeItem

MAJOR_MATCH_CAP = 500  # majors one keyword may name (a one-character keyword in a province)
EMPLOYER_UNVERIFIED = "单位通过认证后才能查找毕业生简历"
# what one row of the employer's list reads: no encrypted column (phone, ID number), no resume text
SEARCH_COLUMNS = (
    "id", "graduate_id", "updated_at", "discoverable",
    "graduate__id", "graduate__name", "graduate__gender_code", "graduate__education_level_code",
    "graduate__cohort", "graduate__school_id", "graduate__major_id",
    "graduate__school__id", "graduate__school__name", "graduate__major__id", "graduate__major__name",
)


# --- the graduate ---------------------------------------------------------------------------

def own_graduate(actor) -> Graduate:
    require_role(actor, (Role.GRADUATE,))
    return Graduate.objects.select_related("school", "college", "major").get(pk=actor.graduate_id)


def own_resume(actor) -> Resume | None:
    """None until the first item or setting is saved (the row is created lazily)."""
    return visible_to(Resume, actor).first()


def own_items(actor) -> list[ResumeItem]:
    return list(visible_to(ResumeItem, actor).order_by("section", "position", "id"))


def own_item_get(*, actor, pk) -> ResumeItem:
    """One item of the actor's own resume; another graduate's id looks like a missing one."""
    require_role(actor, (Role.GRADUATE,))
    return get_visible(ResumeItem, actor, pk=pk)


# --- employers ------------------------------------------------------------------------------

def searching_employer(actor) -> Employer:
    """The actor's employer when it may look for resumes (verified, not suspended)."""
    require_role(actor, (Role.EMPLOYER,))
    employer = Employer.objects.filter(pk=actor.employer_id).first()
    if employer is None or employer.status != EmployerStatus.VERIFIED:
        raise Forbidden(EMPLOYER_UNVERIFIED)
    return employer


def channel_schools(employer: Employer) -> QuerySet[School]:
    """Schools whose graduates the employer's verification reaches."""
    if employer.verifier_school_id:
        return School.objects.filter(pk=employer.verifier_school_id)
    if employer.verifier_province_id:
        return School.objects.filter(province_id=employer.verifier_province_id)
    return School.objects.none()


def _channel_q(employer: Employer) -> Q:
    if employer.verifier_school_id:
        return Q(graduate__school_id=employer.verifier_school_id)
    if employer.verifier_province_id:
        return Q(graduate__school__province_id=employer.verifier_province_id)
    return Q(pk__in=[])


def resumes_discoverable_to(actor) -> QuerySet[Resume]:
    """THE employer scope of resumes (see the module docstring)."""
    employer = searching_employer(actor)
    return Resume.objects.filter(_channel_q(employer), discoverable=True)


@dataclass(frozen=True)
class ResumeSearch:
    school_id: int | None = None
    education_level: str = ""
    major: str = ""  # a keyword of the major's name


def major_ids(keyword: str, schools: QuerySet[School]) -> list[int]:
    """Majors of the channel's schools whose name contains the keyword (bounded); the list is
    then filtered by these ids, so the resume query stays an indexed one."""
    return list(Major.objects.filter(school__in=schools, name__contains=keyword)
                .order_by().values_list("id", flat=True)[:MAJOR_MATCH_CAP])


def resumes_search(*, actor, filters: ResumeSearch) -> QuerySet[Resume]:
    """人才查找: the discoverable resumes in the employer's channel, most recently updated
    first — ORDER BY (updated_at, id) served by resume_discoverable_idx; one query per page
    (graduate, school and major come with the rows, no wide or encrypted column)."""
    employer = searching_employer(actor)
    qs = Resume.objects.filter(_channel_q(employer), discoverable=True)
    if filters.school_id:
        qs = qs.filter(graduate__school_id=filters.school_id)
    if filters.education_level:
        qs = qs.filter(graduate__education_level_code=filters.education_level)
    keyword = (filters.major or "").strip()[:50]
    if keyword:
        qs = qs.filter(graduate__major_id__in=major_ids(keyword, channel_schools(employer)))
    return (qs.select_related("graduate", "graduate__school", "graduate__major").only(*SEARCH_COLUMNS)
            .order_by("-updated_at", "-id"))


def discoverable_resume_get(*, actor, pk) -> Resume:
    """One resume an employer may read; a resume not discoverable (or outside the channel)
    is a missing one."""
    try:
        return resumes_discoverable_to(actor).select_related("graduate").get(pk=pk)
    except (Resume.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
