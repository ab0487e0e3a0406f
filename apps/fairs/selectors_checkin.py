"""Reads of 签到 and 到访: the event a door acts on, attendance lists, the graduate's own rows and
an employer's visitors. Staff and employers start from `visible_to`; a graduate's event is read
by id and the services refuse with the attendance rule (the QR is public at the venue, so the
reason is told rather than hidden behind a 404)."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import QuerySet

from apps.accounts.models import Role
from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import Forbidden, NotFound
from apps.fairs.models import BoothStatus, BoothVisit, FairBooth, FairCheckIn, JobFair
from apps.fairs.rules import visitor_resume_refusal
from apps.infosessions.models import InfoSession, SessionCheckIn


def _by_id(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def fair_for_graduate(pk) -> JobFair:
    return _by_id(JobFair.objects.select_related("school"), pk)


def session_for_graduate(pk) -> InfoSession:
    return _by_id(InfoSession.objects.select_related("school", "employer"), pk)


def staff_fair_get(*, actor, pk) -> JobFair:
    return get_visible(JobFair.objects.select_related("school"), actor, pk=pk)


def staff_session_get(*, actor, pk) -> InfoSession:
    return get_visible(InfoSession.objects.select_related("school", "employer", "room"), actor, pk=pk)


def fair_attendance(*, actor, fair: JobFair) -> QuerySet[FairCheckIn]:
    """The fair's check-ins, newest first (fair_checkin_time_idx read backwards)."""
    return (visible_to(FairCheckIn, actor).filter(fair=fair)
            .select_related("graduate", "graduate__school")
            .only("id", "fair_id", "method", "checked_in_at", "graduate__id", "graduate__name",
                  "graduate__school_id", "graduate__school__name", "graduate__school__province_id")
            .order_by("-checked_in_at", "-id"))


def session_attendance(*, actor, session: InfoSession) -> QuerySet[SessionCheckIn]:
    return (visible_to(SessionCheckIn, actor).filter(session=session)
            .select_related("graduate", "graduate__school")
            .only("id", "session_id", "method", "checked_in_at", "graduate__id", "graduate__name",
                  "graduate__school_id", "graduate__school__name", "graduate__school__province_id")
            .order_by("-checked_in_at", "-id"))


def name_for_staff(actor, graduate) -> str:
    """Staff read the names of graduates in their scope; others' names are masked as the public
    verification page masks them (王小明 → 王*明)."""
    from apps.signing.views_verify import mask_person_name

    if actor.role == Role.SCHOOL_STAFF and graduate.school_id == actor.school_id:
        return graduate.name
    if actor.role == Role.PROVINCE_STAFF and graduate.school.province_id == actor.province_id:
        return graduate.name
    return mask_person_name(graduate.name)


def own_fair_checkin(*, actor, fair) -> FairCheckIn | None:
    return visible_to(FairCheckIn, actor).filter(fair=fair).first()


def own_session_checkin(*, actor, session) -> SessionCheckIn | None:
    return visible_to(SessionCheckIn, actor).filter(session=session).first()


def checked_in_fair_ids(graduate, fair_ids) -> set[int]:
    """Which of these fairs the graduate has checked in at (one statement for a list page)."""
    return set(FairCheckIn.objects.filter(graduate=graduate, fair_id__in=list(fair_ids))
               .values_list("fair_id", flat=True))


def checked_in_session_ids(graduate, session_ids) -> set[int]:
    return set(SessionCheckIn.objects.filter(graduate=graduate, session_id__in=list(session_ids))
               .values_list("session_id", flat=True))


def booth_for_graduate(pk) -> FairBooth:
    """An approved booth with its fair and employer (the visit door refuses other states)."""
    return _by_id(FairBooth.objects.select_related("fair", "fair__school", "employer"), pk)


class BoothRow(NamedTuple):
    """One approved booth as the graduate's booth list shows it."""

    pk: int
    booth_number: str
    employer_name: str


class OwnVisit(NamedTuple):
    """The viewing graduate's 到访 of one booth."""

    pk: int
    share_resume: bool


def booth_rows_for_graduate(*, actor, fair, booths=None,
                            just_checked_in: bool = False) -> list[tuple[BoothRow, OwnVisit | None]]:
    """The fair's approved booths with the actor's own visit of each: the page a check-in opens,
    the busiest page of a fair morning, so plain rows rather than models, and no visit query
    right after the check-in (nobody visits a booth before arriving). `booths`: the booth models
    a page already holds (only the approved ones are listed)."""
    if booths is None:
        rows = [BoothRow(*values) for values in
                FairBooth.objects.filter(fair_id=fair.pk, status=BoothStatus.APPROVED)
                .order_by("booth_number", "id").values_list("pk", "booth_number", "employer__name")]
    else:
        rows = [BoothRow(b.pk, b.booth_number, b.employer.name) for b in booths if b.status == BoothStatus.APPROVED]
    visits = {}
    if rows and not just_checked_in:
        visits = {booth_id: OwnVisit(pk, share) for booth_id, pk, share in
                  visible_to(BoothVisit, actor).filter(booth_id__in=[r.pk for r in rows])
                  .values_list("booth_id", "pk", "share_resume")}
    return [(row, visits.get(row.pk)) for row in rows]


def employer_booth_get(*, actor, pk) -> FairBooth:
    return get_visible(FairBooth.objects.select_related("fair", "fair__school", "employer"), actor, pk=pk)


def booth_shared_visits(*, actor, booth: FairBooth) -> QuerySet[BoothVisit]:
    """Visitors who agreed to share their résumé, newest first (booth_visit_idx); nobody else."""
    # share_resume__in=[True], not =True: Django writes the latter as a bare `AND "share_resume"`,
    # which SQLite does not match to booth_visit_idx (it then sorts all the booth's visits)
    if visitor_resume_refusal(booth):
        return BoothVisit.objects.none()
    return (visible_to(BoothVisit, actor).filter(booth=booth, share_resume__in=[True])
            .select_related("graduate", "graduate__school", "graduate__major")
            .only("id", "booth_id", "share_resume", "created_at", "graduate__id", "graduate__name",
                  "graduate__cohort", "graduate__school__name", "graduate__major__name")
            .order_by("-created_at", "-id"))


def booth_shared_visit_get(*, actor, booth: FairBooth, pk) -> BoothVisit:
    refusal = visitor_resume_refusal(booth)
    if refusal:
        raise Forbidden(refusal)
    return _by_id(visible_to(BoothVisit, actor).filter(booth=booth, share_resume__in=[True])
                  .select_related("graduate", "graduate__school", "graduate__college", "graduate__major"), pk)
