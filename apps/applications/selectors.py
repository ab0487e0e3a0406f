"""Reads of applications (投递); every query starts from `visible_to(Application, actor)`.

Lists read a bounded page (apps/core/listing.py) in one query whatever its length: the posting,
employer and graduate come with the rows (only the columns shown), the encrypted resume
snapshot is left out, and each ORDER BY (-created_at, -id) is served by an index that starts
with the list's filter (graduate / employer [, status] / posting [, status])."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from apps.accounts.models import Role
from apps.accounts.scoping import get_visible, visible_to
from apps.applications.models import Application, ApplicationStatus
from apps.core.text import mask_phone
from apps.resumes.snapshot import snapshot_loads

GRADUATE_LIST_COLUMNS = (
    "id", "posting_id", "graduate_id", "employer_id", "school_id", "status", "interview_at", "interview_place",
    "employer_note", "status_changed_at", "created_at",
    "posting__id", "posting__title", "posting__salary_min", "posting__salary_max", "posting__status",
    "posting__deadline", "employer__id", "employer__name",
)
EMPLOYER_LIST_COLUMNS = (
    "id", "posting_id", "graduate_id", "employer_id", "school_id", "status", "interview_at", "interview_place",
    "employer_note", "status_changed_at", "created_at",
    "posting__id", "posting__title", "graduate__id", "graduate__name", "graduate__education_level_code",
    "graduate__cohort", "graduate__school_id", "graduate__major_id", "graduate__college_id",
    "graduate__school__id", "graduate__school__name", "graduate__major__id", "graduate__major__name",
)


@dataclass(frozen=True)
class EmployerFilters:
    posting_id: int | None = None
    status: str = ""  # one of ApplicationStatus, or "" for all


def applications_of_graduate(*, actor) -> QuerySet[Application]:
    """我的投递, newest first (index graduate, created_at, id)."""
    return (visible_to(Application, actor).select_related("posting", "employer").only(*GRADUATE_LIST_COLUMNS)
            .order_by("-created_at", "-id"))


def applications_for_employer(*, actor, filters: EmployerFilters = EmployerFilters()) -> QuerySet[Application]:
    """The employer's applicants across its postings (or one posting's), newest first."""
    qs = (visible_to(Application, actor).select_related("posting", "graduate", "graduate__school", "graduate__major")
          .only(*EMPLOYER_LIST_COLUMNS))
    if filters.posting_id:
        qs = qs.filter(posting_id=filters.posting_id)
    if filters.status in ApplicationStatus.values:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-created_at", "-id")


def application_get(*, actor, pk) -> Application:
    """One application the actor may see (the graduate's own, the employer's); others → NotFound."""
    qs = Application.objects.select_related("posting", "employer", "graduate", "graduate__school",
                                            "graduate__college", "graduate__major")
    return get_visible(qs, actor, pk=pk)


def employer_postings(*, actor):
    """The employer's postings for the filter (newest first; at most 200)."""
    from apps.jobs.models import Posting

    if getattr(actor, "role", "") != Role.EMPLOYER:
        return []
    return list(visible_to(Posting, actor).only("id", "title", "status").order_by("-id")[:200])


def employer_posting_get(*, actor, pk):
    from apps.jobs.models import Posting

    return get_visible(Posting.objects.only("id", "title", "status", "employer_id", "application_count"), actor, pk=pk)


def snapshot_for(application: Application, *, viewer_role: str) -> dict:
    """The resume as sent. Anyone but the graduate reads the phone masked (the employer asks
    for it in full through services.application_contact, audited)."""
    snapshot = snapshot_loads(application.resume_snapshot)
    if viewer_role != Role.GRADUATE and snapshot.get("basic"):
        snapshot["basic"] = {**snapshot["basic"], "phone": mask_phone(snapshot["basic"].get("phone", ""))}
    return snapshot


def apply_box(*, graduate, posting) -> dict:
    """Context for the apply box on a posting's page (template applications/_apply_box.html):
    whether the graduate applied, the application's state and what they may do next."""
    from apps.applications.presenters import application_state
    from apps.applications.services import MSG_RESUME, resume_ready, resume_url

    application = (Application.objects.filter(graduate_id=graduate.pk, posting_id=posting.pk)
                   .select_related("employer").only("id", "status", "created_at", "interview_at", "interview_place",
                                                    "employer_note", "posting_id", "employer__id", "employer__name")
                   .first())
    context = {"apply_posting": posting, "apply_application": application, "apply_state": None,
               "apply_resume_missing": "", "apply_resume_url": ""}
    if application is not None:
        application.posting = posting
        context["apply_state"] = application_state(application, viewer_role=Role.GRADUATE)
    elif not resume_ready(graduate.pk):
        context["apply_resume_missing"] = MSG_RESUME
        context["apply_resume_url"] = resume_url()
    return context
