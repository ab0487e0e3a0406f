"""The doors of 签到 (fairs and 宣讲会) and booth visits (到访展位).

A graduate checks in by scanning the staff screen's rotating QR (`fair_check_in`,
`session_check_in`); the event's school staff scan or type the graduate's 二维码名片
(`fair_check_in_card`, `session_check_in_card`). Each graduate counts once per event: the row is
inserted under its unique constraint in a savepoint, and the counter moves only when a row was
made, so two scans at once (or a second scan later) never count twice. Who may attend is
apps/fairs/rules.attendance_refusal; codes and windows are apps/fairs/checkin.py.

宣讲会 rule (decided here): while the session has room, any graduate who may attend can check in;
once sign-ups and walk-ins (签到 without a sign-up) fill the room's capacity, only signed-up
graduates are let in — their seat was promised to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import acting_graduate
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden
from apps.core.text import mask_name
from apps.fairs import checkin
from apps.fairs.models import BoothStatus, BoothVisit, CheckInMethod, FairBooth, FairCheckIn, FairStatus, JobFair
from apps.fairs.presenters_checkin import ALREADY, CREATED
from apps.fairs.rules import ATTENDEE_COLUMNS, attendance_refusal
from apps.graduates.models import Graduate
from apps.infosessions.models import InfoSession, SessionCheckIn, SessionSignup, SessionStatus

MSG_FAIR_CANCELLED = "该招聘会已取消，无法签到"
MSG_SESSION_NOT_SCHEDULED = {
    SessionStatus.PENDING: "该宣讲会尚未安排场地，无法签到",
    SessionStatus.REJECTED: "该宣讲会未获安排，无法签到",
    SessionStatus.WITHDRAWN: "该宣讲会已撤回，无法签到",
    SessionStatus.CANCELLED: "该宣讲会已取消，无法签到",
}
MSG_SESSION_FULL = "本场宣讲会已满员，现场仅限已报名的同学签到"
MSG_CARD_EMPTY = "请扫描或输入毕业生的二维码名片"
MSG_NOT_CHECKED_IN = "请先在招聘会现场签到，再登记到访展位"
MSG_BOOTH_NOT_APPROVED = "该单位未在本场招聘会参展"
# audit `changes` keys are stored as their Chinese labels (the 信息变更记录 shows them as written)
CONSENT_LABEL = "同意单位查看简历"


@dataclass(frozen=True)
class CheckInResult:
    """What a check-in door answered: the graduate's row and whether this call made it."""

    row: FairCheckIn | SessionCheckIn
    outcome: str  # presenters_checkin.CREATED / ALREADY
    graduate: Graduate

    @property
    def created(self) -> bool:
        return self.outcome == CREATED


def _now() -> datetime:
    return timezone.now()


def _graduate_of(actor) -> Graduate:
    return acting_graduate(actor, refusal="只有毕业生可以签到", only=ATTENDEE_COLUMNS)


def _require_event_staff(actor, event) -> None:
    """Only the event's own school staff check graduates in (they run the door)."""
    if (actor is None or not actor.is_authenticated or actor.role != Role.SCHOOL_STAFF
            or actor.school_id != event.school_id):
        raise Forbidden("只有举办学校的工作人员可以为毕业生签到")


def _refuse(message: str, code: str, field: str = "") -> None:
    raise DomainError(message, code=code, fields={field: message} if field else None)


def _event_refusal(event) -> tuple[str, str]:
    if checkin.is_session(event):
        if event.status != SessionStatus.SCHEDULED:
            return MSG_SESSION_NOT_SCHEDULED.get(event.status, "该宣讲会无法签到"), "session_not_scheduled"
    elif event.status == FairStatus.CANCELLED:
        return MSG_FAIR_CANCELLED, "fair_cancelled"
    return "", ""


def _check_event(event, graduate: Graduate, *, now: datetime) -> None:
    message, code = _event_refusal(event)
    if message:
        _refuse(message, code)
    refusal = attendance_refusal(event, graduate)
    if refusal:
        _refuse(refusal, "not_in_audience")
    refusal = checkin.window_refusal(event, at=now)
    if refusal:
        _refuse(refusal, "outside_window")


def _existing(event, graduate_id: int):
    if checkin.is_session(event):
        return SessionCheckIn.objects.filter(session=event, graduate_id=graduate_id).first()
    return FairCheckIn.objects.filter(fair=event, graduate_id=graduate_id).first()


def _check_session_room(session: InfoSession, graduate: Graduate) -> None:
    """The 宣讲会 rule (module docstring). Called inside the transaction: the session row is
    locked first, so two walk-ins cannot both take the last seat."""
    if SessionSignup.objects.filter(session=session, graduate=graduate).exists():
        return
    locked = InfoSession.objects.select_for_update().only("pk", "capacity", "signup_count").get(pk=session.pk)
    walk_ins = (SessionCheckIn.objects.filter(session_id=session.pk)
                .exclude(graduate_id__in=SessionSignup.objects.filter(session_id=session.pk).values("graduate_id"))
                .count())
    if locked.signup_count + walk_ins >= locked.capacity:
        _refuse(MSG_SESSION_FULL, "session_full")


def _record(event, graduate: Graduate, *, method: str, actor, recorded_by=None,
            client_address: str = "") -> CheckInResult:
    """Insert the graduate's one check-in row (or find it) and count it once."""
    session = checkin.is_session(event)
    model, event_model = (SessionCheckIn, InfoSession) if session else (FairCheckIn, JobFair)
    event_field = "session" if session else "fair"
    with transaction.atomic():
        if session:
            _check_session_room(event, graduate)
        try:
            with transaction.atomic():
                row = model.objects.create(**{event_field: event}, graduate=graduate, method=method,
                                           recorded_by=recorded_by)
        except IntegrityError:
            # already checked in (here or by a parallel request): no second row, no second count
            row = model.objects.get(**{event_field: event}, graduate=graduate)
            return CheckInResult(row, ALREADY, graduate)
        event_model.objects.filter(pk=event.pk).update(checkin_count=F("checkin_count") + 1)
        what = "宣讲会" if session else "招聘会"
        name = graduate.name if actor is not None and actor.role == Role.GRADUATE else mask_name(graduate.name)
        audit_record(
            actor=actor, action=f"{'session' if session else 'fair'}.checkin",
            summary=f"{name}{what}签到（{CheckInMethod(method).label}）：{_title(event)}",
            target=row, school_id=event.school_id, graduate_id=graduate.pk,
            changes={"签到方式": ["", CheckInMethod(method).label]}, client_address=client_address,
        )
    return CheckInResult(row, CREATED, graduate)


def _title(event) -> str:
    return event.topic if checkin.is_session(event) else event.title


# --- graduate scans the screen -----------------------------------------------------------------

def _scan(*, actor, event, code: str, now: datetime | None, scanned_at: datetime | None,
          client_address: str) -> CheckInResult:
    graduate = _graduate_of(actor)
    now = now or _now()
    row = _existing(event, graduate.pk)
    if row is not None:
        # opening the link again (or an old photo of it) only shows that they are in
        return CheckInResult(row, ALREADY, graduate)
    _check_event(event, graduate, now=now)
    # `scanned_at`: when the code was accepted before a login (checkin.scan_note_time), never
    # later than now
    checkin.check_code(event.checkin_secret, code, at=min(scanned_at or now, now))
    return _record(event, graduate, method=CheckInMethod.SCAN_EVENT_CODE, actor=actor,
                   client_address=client_address)


def fair_check_in(*, actor, fair: JobFair, code: str, now: datetime | None = None,
                  scanned_at: datetime | None = None, client_address: str = "") -> CheckInResult:
    """A graduate checks in at a fair with the code of the screen's QR."""
    return _scan(actor=actor, event=fair, code=code, now=now, scanned_at=scanned_at,
                 client_address=client_address)


def session_check_in(*, actor, session: InfoSession, code: str, now: datetime | None = None,
                     scanned_at: datetime | None = None, client_address: str = "") -> CheckInResult:
    """A graduate checks in at a 宣讲会 with the code of the screen's QR."""
    return _scan(actor=actor, event=session, code=code, now=now, scanned_at=scanned_at,
                 client_address=client_address)


# --- staff scan the graduate's 二维码名片 ---------------------------------------------------------

def _card_token(text: str) -> str:
    """The signed token in a scanned 名片 link (…/sign/c/<token>/), '' for a typed short code."""
    prefix = reverse("sign-card", args=["x"])[:-2]  # "/sign/c/"
    match = re.search(re.escape(prefix) + r"([^/?#\s]+)", text)
    return match.group(1) if match else ""


def _card_graduate(card_code: str, *, client_address: str, now: datetime) -> Graduate:
    from apps.signing.services import card_resolve

    text = (card_code or "").strip()
    if not text:
        _refuse(MSG_CARD_EMPTY, "required", "card_code")
    token = _card_token(text)
    try:
        if token:
            card = card_resolve(token=token, now=now)
        elif "/" in text or ":" in text:
            raise DomainError("二维码无效，请重新扫描毕业生的二维码名片", code="card_invalid")
        else:
            card = card_resolve(short_code=text, client_address=client_address, now=now)
    except DomainError as exc:
        raise DomainError(exc.message, code=exc.code, fields={"card_code": exc.message}) from None
    return Graduate.objects.select_related("school").get(pk=card.graduate_id)


def _card(*, actor, event, card_code: str, now: datetime | None, client_address: str) -> CheckInResult:
    _require_event_staff(actor, event)
    now = now or _now()
    graduate = _card_graduate(card_code, client_address=client_address, now=now)
    row = _existing(event, graduate.pk)
    if row is not None:
        return CheckInResult(row, ALREADY, graduate)
    _check_event(event, graduate, now=now)
    return _record(event, graduate, method=CheckInMethod.STAFF_SCAN_CARD, actor=actor, recorded_by=actor,
                   client_address=client_address)


def fair_check_in_card(*, actor, fair: JobFair, card_code: str, now: datetime | None = None,
                       client_address: str = "") -> CheckInResult:
    """The fair's school staff check a graduate in by the 名片: its short code or its scanned link."""
    return _card(actor=actor, event=fair, card_code=card_code, now=now, client_address=client_address)


def session_check_in_card(*, actor, session: InfoSession, card_code: str, now: datetime | None = None,
                          client_address: str = "") -> CheckInResult:
    return _card(actor=actor, event=session, card_code=card_code, now=now, client_address=client_address)


# --- 到访展位 ------------------------------------------------------------------------------------

def booth_visit_refusal(booth: FairBooth, graduate_id: int) -> str:
    """'' when the graduate may record a visit at this booth (shown before the form, checked again
    by the door)."""
    if booth.status != BoothStatus.APPROVED:
        return MSG_BOOTH_NOT_APPROVED
    if booth.fair.status == FairStatus.CANCELLED:
        return "该招聘会已取消"
    if not FairCheckIn.objects.filter(fair_id=booth.fair_id, graduate_id=graduate_id).exists():
        return MSG_NOT_CHECKED_IN
    return ""


def booth_visit_record(*, actor, booth: FairBooth, share_resume: bool,
                       client_address: str = "") -> tuple[BoothVisit, bool]:
    """A checked-in graduate records a visit to an approved booth (到访) and whether the employer
    may read their résumé. Recording again only changes the consent: withdrawing it hides the
    résumé from the employer at once. Returns (visit, created)."""
    graduate = _graduate_of(actor)
    share_resume = bool(share_resume)
    with transaction.atomic():
        visit = BoothVisit.objects.select_for_update().filter(booth=booth, graduate=graduate).first()
        if visit is not None:
            if visit.share_resume == share_resume:
                return visit, False
            before = visit.share_resume
            visit.share_resume = share_resume
            visit.save(update_fields=["share_resume", "updated_at"])
            audit_record(actor=actor, action="fair.booth_visit_consent",
                         summary=f"{graduate.name}{'同意' if share_resume else '不再同意'}"
                                 f"{booth.employer.name}查看简历",
                         target=visit, school_id=booth.fair.school_id, graduate_id=graduate.pk,
                         changes={CONSENT_LABEL: [before, share_resume]}, client_address=client_address)
            return visit, False
        refusal = booth_visit_refusal(booth, graduate.pk)
        if refusal:
            _refuse(refusal, "visit_refused")
        try:
            with transaction.atomic():
                visit = BoothVisit.objects.create(booth=booth, graduate=graduate, share_resume=share_resume)
        except IntegrityError:
            # a parallel tap made it: apply this one's consent to that row
            visit = BoothVisit.objects.select_for_update().get(booth=booth, graduate=graduate)
            if visit.share_resume != share_resume:
                visit.share_resume = share_resume
                visit.save(update_fields=["share_resume", "updated_at"])
            return visit, False
        FairBooth.objects.filter(pk=booth.pk).update(visit_count=F("visit_count") + 1)
        audit_record(actor=actor, action="fair.booth_visit",
                     summary=f"{graduate.name}到访{booth.employer.name}展位"
                             f"（{'同意' if share_resume else '未同意'}查看简历）",
                     target=visit, school_id=booth.fair.school_id, graduate_id=graduate.pk,
                     changes={CONSENT_LABEL: ["", share_resume]}, client_address=client_address)
    return visit, True
