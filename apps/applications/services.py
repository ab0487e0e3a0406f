"""The doors of 投递 (C9): a graduate applies with the resume as it is at that moment, may
withdraw; the employer of the posting moves the application through its statuses and, from
录用, starts the online-signing invitation. Each door checks who acts, runs in one
transaction, leaves an audit entry and notifies the other side."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.applications.models import Application, ApplicationStatus
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.core.text import mask_phone
from apps.graduates.models import Graduate
from apps.jobs.models import Posting, PostingStatus
from apps.jobs.selectors import channel_q, posting_is_open_to, today
from apps.notifications.services import notify
from apps.organisations.models import EmployerStatus
from apps.resumes.models import ResumeItem, ResumeSection
from apps.resumes.snapshot import resume_snapshot, snapshot_dumps

S = ApplicationStatus
# what the employer may move an application to, from each status (邀请面试 → 邀请面试: a new time or place)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.VIEWED, S.UNSUITABLE),
    S.VIEWED: (S.INTERVIEW, S.HIRED, S.UNSUITABLE),
    S.INTERVIEW: (S.INTERVIEW, S.HIRED, S.UNSUITABLE),
}
# the graduate may withdraw until the employer decided
WITHDRAWABLE = (S.SUBMITTED, S.VIEWED, S.INTERVIEW)
# the minimum a resume needs before it is sent: one item of this section
RESUME_REQUIRED_SECTION = ResumeSection.EDUCATION
MAX_PLACE = 200
MAX_NOTE = 300

MSG_DUPLICATE = "你已投递过该职位"
MSG_RESUME = f"请先完善简历：至少填写一条{ResumeSection(RESUME_REQUIRED_SECTION).label}后再投递"


def resume_url() -> str:
    """The resume page (apps/resumes) the refusal points to."""
    try:
        return reverse("resume-home")
    except Exception:  # noqa: BLE001 — the resume pages are another area's; the message stands alone
        return ""


def resume_ready(graduate_id: int) -> bool:
    return ResumeItem.objects.filter(resume__graduate_id=graduate_id, section=RESUME_REQUIRED_SECTION).exists()


def posting_refusal(posting: Posting, graduate: Graduate, *, on=None) -> str | None:
    """Why the graduate cannot apply to this posting now (None: open to them). The same rule
    as every graduate-facing read (apps.jobs.selectors.postings_open_to), worded per cause."""
    on = on or today()
    if posting.employer.status == EmployerStatus.SUSPENDED:
        return "该单位账号已停用，职位已下线，不能投递"
    if posting.status != PostingStatus.PUBLISHED or posting.employer.status != EmployerStatus.VERIFIED:
        return "该职位未发布或已下线，不能投递"
    if posting.deadline < on:
        return f"该职位已于{posting.deadline:%Y年%m月%d日}截止，不能投递"
    if not Posting.objects.filter(channel_q(graduate), pk=posting.pk).exists():
        return "该职位只面向其他院校的毕业生，你不能投递"
    if not posting_is_open_to(posting, graduate, on=on):  # the selector has the last word
        return "该职位目前不能投递"
    return None


def _own_graduate(actor) -> Graduate:
    if actor is None or not actor.is_authenticated or actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden("只有毕业生本人可以投递")
    return Graduate.objects.select_related("school", "college", "major").get(pk=actor.graduate_id)


def _audit(actor, application: Application, action: str, summary: str, changes=None, client_address=""):
    audit_record(actor=actor, action=action, summary=summary, target=application, school_id=application.school_id,
                 college_id=application.graduate.college_id, graduate_id=application.graduate_id,
                 changes=changes or {}, client_address=client_address)


def application_submit(*, actor, posting: Posting, client_address: str = "") -> Application:
    """投递简历: one application per posting; the resume is stored as it is now."""
    graduate = _own_graduate(actor)
    posting = Posting.objects.select_related("employer").get(pk=posting.pk)
    refusal = posting_refusal(posting, graduate)
    if refusal:
        raise DomainError(refusal, code="posting_closed", fields={"posting": refusal})
    if Application.objects.filter(posting=posting, graduate=graduate).exists():
        raise DomainError(MSG_DUPLICATE, code="duplicate", fields={"posting": MSG_DUPLICATE})
    if not resume_ready(graduate.pk):
        raise DomainError(MSG_RESUME, code="resume_incomplete", fields={"resume": resume_url() or MSG_RESUME})
    try:
        with transaction.atomic():
            application = Application.objects.create(
                posting=posting, graduate=graduate, employer_id=posting.employer_id, school_id=graduate.school_id,
                resume_snapshot=snapshot_dumps(resume_snapshot(graduate)))
            Posting.objects.filter(pk=posting.pk).update(application_count=F("application_count") + 1)
            _audit(actor, application, "application.submit", f"投递职位“{posting.title}”（{posting.employer.name}）",
                   {"投递状态": ["", S.SUBMITTED.label]}, client_address)
            notify(kind="application.new", employer=posting.employer, title=f"新的投递：{posting.title}",
                   body=f"{graduate.name}投递了“{posting.title}”，请及时查看简历",
                   link=reverse("employer-application-detail", args=[application.pk]))
    except IntegrityError:  # a parallel request of the same graduate won the unique constraint
        raise DomainError(MSG_DUPLICATE, code="duplicate", fields={"posting": MSG_DUPLICATE}) from None
    return application


def _locked(application: Application) -> Application:
    return (Application.objects.select_for_update(of=("self",)).select_related("posting", "graduate", "employer")
            .get(pk=application.pk))


def application_withdraw(*, actor, application: Application, client_address: str = "") -> Application:
    """撤回投递 (the graduate, until the employer decided)."""
    graduate = _own_graduate(actor)
    if application.graduate_id != graduate.pk:
        raise NotFound()
    with transaction.atomic():
        locked = _locked(application)
        if locked.status not in WITHDRAWABLE:
            message = f"投递状态为“{locked.get_status_display()}”，不能撤回"
            raise DomainError(message, code="not_withdrawable", fields={"status": message})
        before = locked.get_status_display()
        locked.status, locked.status_changed_at = S.WITHDRAWN, timezone.now()
        locked.save(update_fields=["status", "status_changed_at"])
        _audit(actor, locked, "application.withdraw", f"撤回对“{locked.posting.title}”的投递",
               {"投递状态": [before, S.WITHDRAWN.label]}, client_address)
        notify(kind="application.withdrawn", employer=locked.employer, title=f"投递已撤回：{locked.posting.title}",
               body=f"{locked.graduate.name}撤回了对“{locked.posting.title}”的投递",
               link=reverse("employer-application-detail", args=[locked.pk]))
    return locked


def _own_employer_application(actor, application: Application) -> None:
    if actor is None or not actor.is_authenticated or actor.role != Role.EMPLOYER or not actor.employer_id:
        raise Forbidden("只有投递职位的单位可以处理投递")
    if application.employer_id != actor.employer_id:
        raise NotFound()


def _clean_interview(interview_at, interview_place: str, now: datetime) -> tuple[datetime, str]:
    errors = {}
    if interview_at is not None and timezone.is_naive(interview_at):  # a local time without offset (API, forms)
        interview_at = timezone.make_aware(interview_at)
    if interview_at is None:
        errors["interview_at"] = "请填写面试时间"
    elif interview_at <= now:
        errors["interview_at"] = "面试时间应晚于当前时间"
    place = (interview_place or "").strip()
    if not place:
        errors["interview_place"] = "请填写面试地点"
    elif len(place) > MAX_PLACE:
        errors["interview_place"] = f"面试地点不超过{MAX_PLACE}个字"
    if errors:
        raise DomainError(next(iter(errors.values())), code="invalid", fields=errors)
    return interview_at, place


def application_advance(*, actor, application: Application, status: str, interview_at: datetime | None = None,
                        interview_place: str = "", note: str = "", client_address: str = "",
                        now: datetime | None = None) -> Application:
    """The employer moves the application on (已查看 / 邀请面试 / 录用 / 不合适); the graduate is
    notified of every change."""
    _own_employer_application(actor, application)
    now = now or timezone.now()
    if status not in S.values:
        raise DomainError("请选择新的投递状态", code="invalid", fields={"status": "请选择新的投递状态"})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(f"备注不超过{MAX_NOTE}个字", code="invalid", fields={"note": f"不超过{MAX_NOTE}个字"})
    place = ""
    if status == S.INTERVIEW:
        interview_at, place = _clean_interview(interview_at, interview_place, now)
    with transaction.atomic():
        locked = _locked(application)
        if status not in TRANSITIONS.get(locked.status, ()):
            message = f"投递状态为“{locked.get_status_display()}”，不能改为“{S(status).label}”"
            raise DomainError(message, code="wrong_transition", fields={"status": message})
        before = {"status": locked.get_status_display(), "at": locked.interview_at, "place": locked.interview_place}
        locked.status, locked.status_changed_at = status, now
        if status == S.INTERVIEW:
            locked.interview_at, locked.interview_place = interview_at, place
        if note or status != S.VIEWED:
            locked.employer_note = note
        locked.save(update_fields=["status", "status_changed_at", "interview_at", "interview_place", "employer_note"])
        changes = {"投递状态": [before["status"], locked.get_status_display()]}
        if status == S.INTERVIEW:
            changes["面试时间"] = [_minute(before["at"]), _minute(interview_at)]
            changes["面试地点"] = [before["place"], place]
        _audit(actor, locked, "application.advance",
               f"{locked.employer.name}将“{locked.posting.title}”的投递改为{locked.get_status_display()}",
               changes, client_address)
        from apps.applications.presenters import application_state

        state = application_state(locked, viewer_role=Role.GRADUATE, now=now)
        notify(kind="application.status", graduate=locked.graduate,
               title=f"投递状态更新：{locked.posting.title} · {state.title}", body=state.text,
               link=reverse("application-detail", args=[locked.pk]))
    return locked


def application_mark_viewed(*, actor, application: Application, client_address: str = "") -> Application:
    """Opening an applicant: 已投递 → 已查看 (through the same door); other statuses unchanged."""
    _own_employer_application(actor, application)
    if application.status != S.SUBMITTED:
        return application
    try:
        return application_advance(actor=actor, application=application, status=S.VIEWED,
                                   client_address=client_address)
    except DomainError:  # a parallel request moved it on already
        return Application.objects.get(pk=application.pk)


def application_contact(*, actor, application: Application, client_address: str = "") -> dict:
    """The applicant's phone and e-mail in full for the employer it applied to (shown masked
    until asked; each reveal is audited)."""
    _own_employer_application(actor, application)
    graduate = Graduate.objects.only("id", "phone", "email", "school_id", "college_id").get(pk=application.graduate_id)
    with transaction.atomic():
        audit_record(actor=actor, action="application.contact", summary="查看投递者的联系方式", target=application,
                     school_id=application.school_id, college_id=graduate.college_id, graduate_id=graduate.pk,
                     changes={"联系电话": ["", mask_phone(graduate.phone)]}, client_address=client_address)
    return {"phone": graduate.phone or "", "email": graduate.email or ""}


def application_signing_start(*, actor, application: Application, client_address: str = ""):
    """发起网签 from a 录用 applicant: a fresh signing card for the graduate and the position to
    prefill; the invitation form and the graduate's acceptance are the existing 网签 flow.
    Returns (card, token, prefill)."""
    from apps.signing.services import card_issue_for_application

    _own_employer_application(actor, application)
    if application.status != S.HIRED:
        message = "只有已录用的投递者才能发起网签"
        raise DomainError(message, code="not_hired", fields={"status": message})
    posting = application.posting
    card, token = card_issue_for_application(actor=actor, graduate=application.graduate,
                                             client_address=client_address)
    return card, token, signing_prefill(posting)


def signing_prefill(posting: Posting) -> dict[str, str]:
    """The invitation form's position fields from the posting (工作地点: its counties' names)."""
    from apps.reference.selectors import county_division

    places = []
    for place in posting.places.all()[:5]:
        division = county_division(place.county_code)
        places.append(getattr(division, "full_name", "") or getattr(division, "name", "") or place.county_code)
    return {"position_name": posting.title[:100], "position_category_code": posting.category_code,
            "work_place": "、".join(p for p in places if p)[:200]}


def _minute(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""
