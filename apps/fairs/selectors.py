"""Reads of 招聘会. Staff reads start from `visible_to` (school staff: their school's fairs;
province staff: every school's of the province); a graduate's from `fairs_open_to` (the
attendance rule's `audience_q`); an employer's from its verifier's channel (a school-verified
employer sees that school's fairs, a province-verified one every school's of the province)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import NotFound
from apps.core.listing import province_first
from apps.fairs.models import BoothStatus, FairBooth, FairInterest, FairStatus, JobFair
from apps.fairs.rules import audience_q

LIST_COLUMNS = ("id", "school_id", "kind", "title", "starts_at", "ends_at", "venue", "booth_count", "audience",
                "apply_deadline", "status", "approved_booths", "interest_count", "checkin_count",
                "school__id", "school__name", "school__province_id")
BOOTH_FILTERS = (
    (BoothStatus.PENDING.value, BoothStatus.PENDING.label),
    (BoothStatus.APPROVED.value, BoothStatus.APPROVED.label),
    (BoothStatus.WAITING.value, BoothStatus.WAITING.label),
    (BoothStatus.REJECTED.value, BoothStatus.REJECTED.label),
    (BoothStatus.WITHDRAWN.value, BoothStatus.WITHDRAWN.label),
    (BoothStatus.REMOVED.value, BoothStatus.REMOVED.label),
)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- staff ------------------------------------------------------------------------------

def staff_fairs(*, actor, ended: bool = False, now: datetime | None = None) -> QuerySet[JobFair]:
    """Upcoming and running fairs soonest first, or (ended=True) past fairs latest first;
    (school, starts_at, id) serves both (省级: school by school)."""
    qs = visible_to(JobFair, actor).select_related("school").only(*LIST_COLUMNS)
    if ended:
        return qs.filter(ends_at__lte=_now(now)).order_by(*province_first(actor, "-starts_at", "-id"))
    return qs.filter(ends_at__gt=_now(now)).order_by(*province_first(actor, "starts_at", "id"))


def staff_fair_get(*, actor, pk) -> JobFair:
    return get_visible(JobFair.objects.select_related("school", "created_by"), actor, pk=pk)


def fair_booths(fair: JobFair, *, status: str) -> QuerySet[FairBooth]:
    """One status of a fair's applications in the (fair, status, waiting_since, id) order: the
    waiting list in its promotion order, the others in the order they came."""
    return (FairBooth.objects.filter(fair=fair, status=status).select_related("employer")
            .prefetch_related(Prefetch("postings", queryset=_posting_titles()))
            .order_by("waiting_since", "id"))


def staff_booth_get(*, actor, fair: JobFair, booth_id) -> FairBooth:
    return get_visible(FairBooth.objects.select_related("employer", "fair"), actor, pk=booth_id, fair=fair)


def waiting_position(booth: FairBooth) -> int:
    """第N位 on the waiting list (1 = next to move up)."""
    if booth.status != BoothStatus.WAITING or booth.waiting_since is None:
        return 0
    ahead = FairBooth.objects.filter(fair_id=booth.fair_id, status=BoothStatus.WAITING).filter(
        Q(waiting_since__lt=booth.waiting_since) | Q(waiting_since=booth.waiting_since, id__lt=booth.pk))
    return ahead.count() + 1


# --- employers --------------------------------------------------------------------------

def _employer_channel_q(employer) -> Q:
    if employer is None or employer.verifier_province_id is None:
        return Q(pk__in=[])
    if employer.verifier_school_id is not None:
        return Q(school_id=employer.verifier_school_id)
    return Q(school__province_id=employer.verifier_province_id)


def employer_fairs(*, actor, now: datetime | None = None) -> QuerySet[JobFair]:
    """Published fairs of the employer's channel that have not ended, soonest first."""
    employer = getattr(actor, "employer", None)
    return (JobFair.objects.filter(_employer_channel_q(employer), status=FairStatus.PUBLISHED,
                                   ends_at__gt=_now(now))
            .select_related("school").only(*LIST_COLUMNS).order_by("starts_at", "id"))


def employer_fair_get(*, actor, pk) -> JobFair:
    """A fair of the employer's channel, or one it has applied to (whatever happened since)."""
    employer = getattr(actor, "employer", None)
    if employer is None:
        raise NotFound()
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    applied = FairBooth.objects.filter(employer=employer, fair_id=number).values("fair_id")
    fair = (JobFair.objects.select_related("school")
            .filter(Q(_employer_channel_q(employer)) | Q(pk__in=applied), pk=number).first())
    if fair is None:
        raise NotFound()
    return fair


def employer_booths(*, actor) -> QuerySet[FairBooth]:
    """The employer's applications, newest first ((employer, created_at, id) index)."""
    return (visible_to(FairBooth, actor).select_related("fair", "fair__school")
            .order_by("-created_at", "-id"))


def employer_booths_of_fair(*, actor, fair: JobFair) -> list[FairBooth]:
    """The employer's applications at one fair (at most one live one), newest first."""
    return list(visible_to(FairBooth, actor).filter(fair=fair).select_related("employer")
                .prefetch_related(Prefetch("postings", queryset=_posting_titles())).order_by("-created_at", "-id"))


def employer_booth_get(*, actor, pk) -> FairBooth:
    return get_visible(FairBooth.objects.select_related("fair", "employer"), actor, pk=pk)


def employer_open_postings(employer):
    """The postings an employer may bring to a booth: its own, published and open."""
    from apps.jobs.selectors import open_postings

    return open_postings().filter(employer=employer).only("id", "title", "deadline").order_by("-published_at", "-id")


# --- graduates --------------------------------------------------------------------------

def fairs_open_to(graduate, *, now: datetime | None = None) -> QuerySet[JobFair]:
    """Published fairs the graduate may attend that have not ended, soonest first."""
    return (JobFair.objects.filter(audience_q(graduate), status=FairStatus.PUBLISHED, ends_at__gt=_now(now))
            .select_related("school").only(*LIST_COLUMNS).order_by("starts_at", "id"))


def graduate_fair_get(graduate, pk) -> JobFair:
    """A fair the graduate may attend (ended and cancelled ones too: links in messages stay)."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    fair = JobFair.objects.filter(audience_q(graduate), pk=number).select_related("school").first()
    if fair is None:
        raise NotFound()
    return fair


def interested_fair_ids(graduate, fair_ids) -> set[int]:
    return set(FairInterest.objects.filter(graduate=graduate, fair_id__in=list(fair_ids))
               .values_list("fair_id", flat=True))


def is_interested(graduate, fair: JobFair) -> bool:
    return FairInterest.objects.filter(graduate=graduate, fair=fair).exists()


def _posting_titles():
    from apps.jobs.models import Posting

    return Posting.objects.only("id", "title", "salary_min", "salary_max").order_by("id")


def fair_employers_for_graduate(graduate, fair: JobFair) -> QuerySet[FairBooth]:
    """The approved booths of a fair by booth number, each with only the postings still open
    to this graduate (a posting closed or taken down since drops out)."""
    from apps.jobs.models import Posting
    from apps.jobs.selectors import postings_open_to

    open_ids = postings_open_to(graduate).values("pk")
    postings = Posting.objects.filter(pk__in=open_ids).only("id", "title", "salary_min", "salary_max").order_by("id")
    return (FairBooth.objects.filter(fair=fair, status=BoothStatus.APPROVED)
            .select_related("employer").only("id", "fair_id", "employer_id", "booth_number", "status",
                                              "employer__id", "employer__name", "employer__status")
            .prefetch_related(Prefetch("postings", queryset=postings, to_attr="open_postings"))
            .order_by("booth_number", "id"))
