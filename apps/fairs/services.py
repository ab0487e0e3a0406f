"""The doors of 校园招聘会 / 双选会: school staff publish, edit and cancel a fair and decide the
employers' booth applications (展位申请) up to the booth count, with a waiting list (候补) that
moves up by itself; employers apply and withdraw; graduates register interest (我要参加) and get
a reminder the day before. Each door checks who acts, runs in one transaction and leaves an
audit entry; every booth decision notifies the employer (kind `fair.booth`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.models import Role
from apps.accounts.permissions import acting_employer, acting_graduate
from apps.accounts.scoping import visible_to
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.core.text import mask_phone, normalise
from apps.employers.rules import employer_channel_refusal
from apps.fairs.models import (
    ACTIVE_BOOTH_STATUSES,
    Audience,
    BoothStatus,
    FairBooth,
    FairCheckIn,
    FairInterest,
    FairKind,
    FairStatus,
    JobFair,
)
from apps.fairs.rules import attendance_refusal
from apps.graduates.fields import LANDLINE, MOBILE
from apps.graduates.models import Graduate

B = BoothStatus
TITLE_MAX = 100
VENUE_MAX = 120
DESCRIPTION_MAX = 2000
REASON_MAX = 300
NOTE_MAX = 300
CONTACT_NAME_MAX = 50
BOOTHS_MIN = 1
BOOTHS_MAX = 500
POSTINGS_MAX = 20  # postings one booth may bring: enough for a large employer, bounded for the page
# a fair is published for a date within the coming year (a typo such as 2062 is refused)
HORIZON_DAYS = 366

FIELD_LABELS = {"kind": "类型", "title": "名称", "starts_at": "开始时间", "ends_at": "结束时间", "venue": "地点",
                "booth_count": "展位数", "audience": "面向", "apply_deadline": "单位报名截止时间",
                "description": "简介"}
DECIDE_ACTIONS = ("approve", "reject", "remove")

MSG_CANCELLED = "该招聘会已取消"
MSG_ENDED = "该招聘会已结束"
MSG_CHECKED_IN = "你已在现场签到，报名状态不再更改"


# --- helpers ---------------------------------------------------------------------------

def _minute(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _as_datetime(value) -> datetime | None:
    """A form's `2026-12-10T09:00` / `2026-12-10 09:00` or a datetime; naive = local time."""
    if isinstance(value, datetime):
        parsed = value
    else:
        text = (str(value) if value is not None else "").strip()
        if not text:
            return None
        try:
            parsed = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            return None
        if parsed is None:
            return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def _text(value, *, field: str, label: str, max_len: int, errors: dict, required: bool = True) -> str:
    text = (str(value) if value is not None else "").strip()
    if required and not text:
        errors[field] = f"请填写{label}"
    elif len(text) > max_len:
        errors[field] = f"{label}不超过{max_len}个字（当前{len(text)}个字）"
    return text


def _reason(reason, *, required_message: str) -> str:
    reason = (str(reason) if reason is not None else "").strip()
    if not reason:
        raise DomainError(required_message, code="reason_required", fields={"reason": required_message})
    if len(reason) > REASON_MAX:
        message = f"原因不超过{REASON_MAX}个字"
        raise DomainError(message, code="too_long", fields={"reason": message})
    return reason


def _raise_fields(errors: dict) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise DomainError(first if len(errors) == 1 else f"请修改标出的{len(errors)}处内容：{first}",
                          code="invalid", fields=errors)


def _school_staff_of(actor, fair: JobFair | None = None) -> None:
    """Only the fair's own school staff publish and decide (province staff read)."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden()
    if actor.role != Role.SCHOOL_STAFF or actor.school_id is None:
        raise Forbidden("只有学校就业部门可以发布和管理本校的招聘会")
    if fair is not None and fair.school_id != actor.school_id:
        raise NotFound()


_employer_of = acting_employer


def graduate_of(actor) -> Graduate:
    return acting_graduate(actor, refusal="只有毕业生可以报名参加招聘会")


def _locked_fair(fair: JobFair) -> JobFair:
    """The fair row under a lock: every change of its booths is decided one at a time."""
    return JobFair.objects.select_for_update(of=("self",)).select_related("school").get(pk=fair.pk)


def fair_stage_refusal(fair: JobFair, *, now: datetime | None = None) -> str:
    """'' while the fair may still change (published and not ended), else why not."""
    now = now or timezone.now()
    if fair.status == FairStatus.CANCELLED:
        return MSG_CANCELLED
    if fair.ends_at <= now:
        return MSG_ENDED
    return ""


def apply_refusal(fair: JobFair, employer, *, now: datetime | None = None) -> str:
    """'' when the employer may apply for a booth now (pages ask it to show or hide the form)."""
    now = now or timezone.now()
    stage = fair_stage_refusal(fair, now=now)
    if stage:
        return stage
    if fair.apply_deadline <= now:
        return f"单位报名已于{_minute(fair.apply_deadline)}截止"
    return employer_channel_refusal(employer, fair.school) or ""


def _clean_fair(data: dict, *, now: datetime, current: JobFair | None = None) -> dict:
    errors: dict[str, str] = {}
    out: dict = {}
    kind = str(data.get("kind") or (current.kind if current else FairKind.MUTUAL_CHOICE))
    if kind not in FairKind.values:
        errors["kind"] = "请选择招聘会类型"
    out["kind"] = kind
    audience = str(data.get("audience") or (current.audience if current else Audience.SCHOOL))
    if audience not in Audience.values:
        errors["audience"] = "请选择面向的毕业生范围"
    out["audience"] = audience
    out["title"] = _text(data.get("title"), field="title", label="招聘会名称", max_len=TITLE_MAX, errors=errors)
    out["venue"] = _text(data.get("venue"), field="venue", label="举办地点", max_len=VENUE_MAX, errors=errors)
    out["description"] = _text(data.get("description"), field="description", label="简介",
                               max_len=DESCRIPTION_MAX, errors=errors, required=False)
    raw_booths = str(data.get("booth_count") if data.get("booth_count") is not None else "").strip()
    booths = int(raw_booths) if raw_booths.isdigit() and len(raw_booths) <= 6 else None
    if booths is None or not BOOTHS_MIN <= booths <= BOOTHS_MAX:
        errors["booth_count"] = f"展位数应为{BOOTHS_MIN}–{BOOTHS_MAX}之间的整数"
    elif current is not None and booths < current.approved_booths:
        errors["booth_count"] = f"已通过{current.approved_booths}个展位，展位数不能少于{current.approved_booths}"
    out["booth_count"] = booths
    starts, ends, deadline = (_as_datetime(data.get(k)) for k in ("starts_at", "ends_at", "apply_deadline"))
    if starts is None:
        errors["starts_at"] = "请填写开始时间（年-月-日 时:分）"
    elif starts <= now:
        errors["starts_at"] = "开始时间不能早于现在"
    elif starts > now + timedelta(days=HORIZON_DAYS):
        errors["starts_at"] = "开始时间应在一年以内"
    if ends is None:
        errors["ends_at"] = "请填写结束时间（年-月-日 时:分）"
    elif starts is not None and ends <= starts:
        errors["ends_at"] = "结束时间应晚于开始时间"
    elif starts is not None and ends - starts > timedelta(days=7):
        errors["ends_at"] = "一场招聘会最长7天"
    if deadline is None:
        errors["apply_deadline"] = "请填写单位报名截止时间（年-月-日 时:分）"
    elif starts is not None and deadline > starts:
        errors["apply_deadline"] = "单位报名截止时间应早于招聘会开始时间"
    elif current is None and deadline <= now:
        errors["apply_deadline"] = "单位报名截止时间不能早于现在"
    out.update(starts_at=starts, ends_at=ends, apply_deadline=deadline)
    _raise_fields(errors)
    return out


def _display(field: str, value) -> str:
    if value is None:
        return ""
    if field in ("starts_at", "ends_at", "apply_deadline"):
        return _minute(value)
    if field == "kind":
        return FairKind(value).label
    if field == "audience":
        return Audience(value).label
    return str(value)


def _notify_booth(booth: FairBooth, *, title: str, body: str = "") -> None:
    from apps.notifications.services import notify

    notify(kind="fair.booth", employer=booth.employer, title=title, body=body,
           link=reverse("employer-fair", args=[booth.fair_id]))


def _booth_audit(actor, booth: FairBooth, fair: JobFair, action: str, summary: str, changes: dict) -> None:
    audit_record(actor=actor, action=action, summary=f"招聘会“{fair.title}”：{booth.employer.name}{summary}",
                 target=booth, school_id=fair.school_id, changes=changes)


# --- fairs -----------------------------------------------------------------------------

def fair_publish(*, actor, **fields) -> JobFair:
    """School staff publish a fair of their own school (发布即对单位和毕业生可见)."""
    _school_staff_of(actor)
    now = timezone.now()
    data = _clean_fair(fields, now=now)
    with transaction.atomic():
        fair = JobFair.objects.create(school_id=actor.school_id, created_by=actor, **data)
        audit_record(actor=actor, action="fair.publish", summary=f"发布招聘会“{fair.title}”", target=fair,
                     school_id=fair.school_id,
                     changes={FIELD_LABELS[k]: ["", _display(k, v)] for k, v in data.items() if v not in ("", None)})
    return fair


def fair_update(*, actor, fair: JobFair, **fields) -> JobFair:
    """Edit a fair before it starts. More booths move the waiting list up at once; fewer than
    already approved are refused."""
    _school_staff_of(actor, fair)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_fair(fair)
        refusal = fair_stage_refusal(locked, now=now)
        if not refusal and locked.starts_at <= now:
            refusal = "招聘会已开始，不能再修改"
        if refusal:
            raise DomainError(refusal, code="fair_closed")
        data = _clean_fair(fields, now=now, current=locked)
        changes = {FIELD_LABELS[k]: [_display(k, getattr(locked, k)), _display(k, v)]
                   for k, v in data.items() if getattr(locked, k) != v}
        if changes:
            for k, v in data.items():
                setattr(locked, k, v)
            locked.save(update_fields=[*data.keys(), "updated_at"])
            audit_record(actor=actor, action="fair.update", summary=f"修改招聘会“{locked.title}”", target=locked,
                         school_id=locked.school_id, changes=changes)
            _promote(actor, locked, now=now)
    return locked


def fair_cancel(*, actor, fair: JobFair, reason: str) -> JobFair:
    """Cancel a fair that has not ended; interested graduates and employers with a live booth
    application are told (kind `fair.cancelled`)."""
    from apps.notifications.services import notify

    _school_staff_of(actor, fair)
    reason = _reason(reason, required_message="请填写取消原因（毕业生和单位可见）")
    with transaction.atomic():
        locked = _locked_fair(fair)
        refusal = fair_stage_refusal(locked)
        if refusal:
            raise DomainError(refusal, code="fair_closed")
        locked.status = FairStatus.CANCELLED
        locked.cancel_reason = reason
        locked.save(update_fields=["status", "cancel_reason", "updated_at"])
        audit_record(actor=actor, action="fair.cancel", summary=f"取消招聘会“{locked.title}”", target=locked,
                     school_id=locked.school_id,
                     changes={"状态": [FairStatus.PUBLISHED.label, FairStatus.CANCELLED.label], "取消原因": ["", reason]})
        title = f"招聘会“{locked.title}”已取消"[:120]
        body = f"原定{_minute(locked.starts_at)}在{locked.venue}举办的招聘会已取消。原因：{reason}"
        interests = (FairInterest.objects.filter(fair=locked).select_related("graduate").order_by("id"))
        for interest in interests.iterator(chunk_size=500):
            notify(kind="fair.cancelled", graduate=interest.graduate, title=title, body=body,
                   link=reverse("fair", args=[locked.pk]))
        booths = (FairBooth.objects.filter(fair=locked, status__in=ACTIVE_BOOTH_STATUSES)
                  .select_related("employer").order_by("id"))
        for booth in booths:
            notify(kind="fair.cancelled", employer=booth.employer, title=title, body=body,
                   link=reverse("employer-fair", args=[locked.pk]))
    return locked


# --- booths ----------------------------------------------------------------------------

def booth_apply(*, actor, fair: JobFair, posting_ids, contact_name: str, contact_phone: str,
                note: str = "") -> FairBooth:
    """A verified employer (in the fair's school channel) applies for a booth before the
    deadline, naming the postings it brings (its own, published and open)."""
    from apps.jobs.selectors import open_postings

    employer = _employer_of(actor)
    refusal = apply_refusal(fair, employer)
    if refusal:
        raise DomainError(refusal, code="apply_refused")
    errors: dict[str, str] = {}
    ids = []
    for value in posting_ids or []:
        text = str(value).strip()
        if not text.isdigit() or len(text) > 18:
            errors["postings"] = "所选职位无效"
            break
        ids.append(int(text))
    ids = sorted(set(ids))
    if not ids and "postings" not in errors:
        errors["postings"] = "请至少选择一个携带的职位"
    elif len(ids) > POSTINGS_MAX:
        errors["postings"] = f"每个展位最多携带{POSTINGS_MAX}个职位"
    postings = list(open_postings().filter(employer=employer, pk__in=ids).only("id", "title")) if ids else []
    if ids and "postings" not in errors and len(postings) != len(ids):
        errors["postings"] = "只能选择本单位已发布且未截止的职位"
    name = _text(contact_name, field="contact_name", label="联系人", max_len=CONTACT_NAME_MAX, errors=errors)
    phone = normalise(contact_phone)
    if not phone:
        errors["contact_phone"] = "请填写联系电话"
    elif not (MOBILE.match(phone) or LANDLINE.match(phone)):
        errors["contact_phone"] = "请输入正确的手机号码或固定电话"
    note = _text(note, field="note", label="备注", max_len=NOTE_MAX, errors=errors, required=False)
    _raise_fields(errors)
    message = "你单位已申请该招聘会的展位，请勿重复申请"
    try:
        with transaction.atomic():
            locked = _locked_fair(fair)
            refusal = apply_refusal(locked, employer)
            if refusal:
                raise DomainError(refusal, code="apply_refused")
            if FairBooth.objects.filter(fair=locked, employer=employer, status__in=ACTIVE_BOOTH_STATUSES).exists():
                raise DomainError(message, code="duplicate")
            booth = FairBooth.objects.create(fair=locked, employer=employer, contact_name=name, contact_phone=phone,
                                             note=note, applied_by=actor)
            booth.postings.set(postings)
            _booth_audit(actor, booth, locked, "fair.booth_apply", "申请展位", {
                "状态": ["", B.PENDING.label], "联系人": ["", name], "联系电话": ["", mask_phone(phone)],
                "携带职位": ["", "、".join(p.title for p in postings)]})
    except IntegrityError:  # a parallel application of the same employer won the constraint
        raise DomainError(message, code="duplicate") from None
    return booth


def _lowest_free_number(fair: JobFair) -> int:
    taken = set(FairBooth.objects.filter(fair=fair, status=B.APPROVED, booth_number__isnull=False)
                .values_list("booth_number", flat=True))
    return next(n for n in range(1, fair.booth_count + len(taken) + 2) if n not in taken)


def _approve_locked(actor, fair: JobFair, booth: FairBooth, *, now) -> None:
    """Give `booth` the lowest free booth number (the fair row is locked by the caller)."""
    number = _lowest_free_number(fair)
    before = booth.status
    booth.status, booth.booth_number, booth.waiting_since = B.APPROVED, number, None
    booth.decided_by, booth.decided_at, booth.reason = actor, now, ""
    booth.save(update_fields=["status", "booth_number", "waiting_since", "decided_by", "decided_at", "reason",
                              "updated_at"])
    JobFair.objects.filter(pk=fair.pk).update(approved_booths=F("approved_booths") + 1)
    fair.approved_booths += 1
    _booth_audit(actor, booth, fair, "fair.booth_approve",
                 "候补转正" if before == B.WAITING else "展位申请通过",
                 {"状态": [B(before).label, B.APPROVED.label], "展位号": ["", str(number)]})


def _promote(actor, fair: JobFair, *, now) -> list[FairBooth]:
    """Free booths go to the waiting list in order (waiting_since, id): 候补转正, notified."""
    promoted = []
    while fair.approved_booths < fair.booth_count:
        booth = (FairBooth.objects.select_for_update().select_related("employer")
                 .filter(fair=fair, status=B.WAITING).order_by("waiting_since", "id").first())
        if booth is None:
            break
        _approve_locked(actor, fair, booth, now=now)
        _notify_booth(booth, title=f"候补转正：“{fair.title}”展位已通过",
                      body=f"有展位空出，你单位已由候补转为正式参会，展位号{booth.booth_number}。"
                           f"招聘会于{_minute(fair.starts_at)}在{fair.venue}举办。")
        promoted.append(booth)
    return promoted


def _booth_locked(booth: FairBooth) -> FairBooth:
    return FairBooth.objects.select_for_update(of=("self",)).select_related("employer").get(pk=booth.pk)


def booth_decide(*, actor, booth: FairBooth, action: str, reason: str = "") -> FairBooth:
    """School staff decide an application. 通过: a booth while any is free (lowest free number),
    else the waiting list (候补); 驳回 (pending or waiting, with a reason); 取消参会 (an approved
    booth, with a reason: its booth goes to the first on the waiting list)."""
    fair = booth.fair
    _school_staff_of(actor, fair)
    if action not in DECIDE_ACTIONS:
        raise DomainError("请选择处理方式", code="invalid_action", fields={"action": "请选择处理方式"})
    if action in ("reject", "remove"):
        reason = _reason(reason, required_message="请填写原因（单位可见）")
    now = timezone.now()
    with transaction.atomic():
        locked_fair = _locked_fair(fair)
        refusal = fair_stage_refusal(locked_fair, now=now)
        if refusal:
            raise DomainError(refusal, code="fair_closed")
        locked = _booth_locked(booth)
        if action == "approve":
            if locked.status != B.PENDING:
                raise DomainError(f"该申请{B(locked.status).label}，不能再审核通过", code="not_pending")
            # the lock on the fair row makes this count the truth: two approvals of the last
            # booth run one after the other, the second finds it taken
            approved = FairBooth.objects.filter(fair=locked_fair, status=B.APPROVED).count()
            if approved < locked_fair.booth_count:
                _approve_locked(actor, locked_fair, locked, now=now)
                _notify_booth(locked, title=f"“{locked_fair.title}”展位申请已通过",
                              body=f"展位号{locked.booth_number}。招聘会于{_minute(locked_fair.starts_at)}"
                                   f"在{locked_fair.venue}举办。")
            else:
                locked.status, locked.waiting_since = B.WAITING, now
                locked.decided_by, locked.decided_at = actor, now
                locked.save(update_fields=["status", "waiting_since", "decided_by", "decided_at", "updated_at"])
                _booth_audit(actor, locked, locked_fair, "fair.booth_wait", "展位已满，进入候补",
                             {"状态": [B.PENDING.label, B.WAITING.label]})
                _notify_booth(locked, title=f"“{locked_fair.title}”展位已满，你单位在候补名单中",
                              body="有单位撤回或被取消参会时，将按候补顺序自动转正并通知你。")
        elif action == "reject":
            if locked.status not in (B.PENDING, B.WAITING):
                raise DomainError(f"该申请{B(locked.status).label}，不能驳回", code="not_rejectable")
            before = locked.status
            locked.status, locked.reason, locked.waiting_since = B.REJECTED, reason, None
            locked.decided_by, locked.decided_at = actor, now
            locked.save(update_fields=["status", "reason", "waiting_since", "decided_by", "decided_at", "updated_at"])
            _booth_audit(actor, locked, locked_fair, "fair.booth_reject", "展位申请被驳回",
                         {"状态": [B(before).label, B.REJECTED.label], "原因": ["", reason]})
            _notify_booth(locked, title=f"“{locked_fair.title}”展位申请未通过", body=f"原因：{reason}")
        else:
            if locked.status != B.APPROVED:
                raise DomainError("只能取消已通过的展位", code="not_approved")
            _release(actor, locked_fair, locked, status=B.REMOVED, reason=reason, now=now)
            _notify_booth(locked, title=f"“{locked_fair.title}”已取消你单位的展位", body=f"原因：{reason}")
            _promote(actor, locked_fair, now=now)
    return locked


def _release(actor, fair: JobFair, booth: FairBooth, *, status: str, reason: str, now) -> None:
    before = booth.status
    booth.status, booth.reason, booth.waiting_since = status, reason, None
    if status == B.REMOVED:
        booth.decided_by, booth.decided_at = actor, now
    booth.save(update_fields=["status", "reason", "waiting_since", "decided_by", "decided_at", "updated_at"])
    if before == B.APPROVED:
        JobFair.objects.filter(pk=fair.pk).update(approved_booths=F("approved_booths") - 1)
        fair.approved_booths -= 1
    changes = {"状态": [B(before).label, B(status).label]}
    if reason:
        changes["原因"] = ["", reason]
    _booth_audit(actor, booth, fair, f"fair.booth_{status}", "取消参会" if status == B.REMOVED else "撤回展位申请",
                 changes)


def booth_withdraw(*, actor, booth: FairBooth) -> FairBooth:
    """The employer withdraws its application before the fair starts; an approved booth is
    freed and goes to the first on the waiting list."""
    _employer_of(actor)
    if not visible_to(FairBooth, actor).filter(pk=booth.pk).exists():
        raise NotFound()
    now = timezone.now()
    with transaction.atomic():
        fair = _locked_fair(booth.fair)
        refusal = fair_stage_refusal(fair, now=now)
        if not refusal and fair.starts_at <= now:
            refusal = "招聘会已开始，不能撤回"
        if refusal:
            raise DomainError(refusal, code="fair_closed")
        locked = _booth_locked(booth)
        if locked.status not in ACTIVE_BOOTH_STATUSES:
            raise DomainError(f"该申请{B(locked.status).label}，不能撤回", code="not_active")
        _release(actor, fair, locked, status=B.WITHDRAWN, reason="", now=now)
        _promote(actor, fair, now=now)
    return locked


# --- graduates -------------------------------------------------------------------------

def fair_interest_toggle(*, actor, fair: JobFair, interested: bool | None = None) -> bool:
    """我要参加: on or off (None = the other way round); True when the graduate is now
    registered. Only for a fair the graduate may attend that has not ended."""
    graduate = graduate_of(actor)
    refusal = attendance_refusal(fair, graduate)
    if refusal:
        raise DomainError(refusal, code="not_audience")
    stage = fair_stage_refusal(fair)
    if stage:
        raise DomainError(stage, code="fair_closed")
    if FairCheckIn.objects.filter(fair=fair, graduate=graduate).exists():
        raise DomainError(MSG_CHECKED_IN, code="checked_in")
    with transaction.atomic():
        existing = FairInterest.objects.filter(fair=fair, graduate=graduate)
        if interested is None:
            interested = not existing.exists()
        if interested:
            try:
                with transaction.atomic():
                    FairInterest.objects.create(fair=fair, graduate=graduate)
            except IntegrityError:
                return True  # already registered (a double tap)
            JobFair.objects.filter(pk=fair.pk).update(interest_count=F("interest_count") + 1)
            audit_record(actor=actor, action="fair.interest", summary=f"报名参加招聘会“{fair.title}”", target=fair,
                         school_id=graduate.school_id, graduate_id=graduate.pk, changes={"我要参加": ["否", "是"]})
            return True
        deleted, _ = existing.delete()
        if deleted:
            JobFair.objects.filter(pk=fair.pk, interest_count__gt=0).update(interest_count=F("interest_count") - 1)
            audit_record(actor=actor, action="fair.interest_cancel", summary=f"取消报名招聘会“{fair.title}”",
                         target=fair, school_id=graduate.school_id, graduate_id=graduate.pk,
                         changes={"我要参加": ["是", "否"]})
        return False


def send_fair_reminders(*, now: datetime | None = None) -> int:
    """The day-before reminder (kind `fair.reminder`) for every registered graduate of a fair
    starting tomorrow (local date). Each row is claimed by a conditional UPDATE before its
    message is written, in one transaction: two schedulers or a rerun never send it twice."""
    from apps.notifications.services import notify

    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()), zone)
    end = start + timedelta(days=1)
    sent = 0
    fairs = JobFair.objects.filter(status=FairStatus.PUBLISHED, starts_at__gte=start, starts_at__lt=end)
    for fair in fairs.only("id", "title", "starts_at", "venue"):
        pending = FairInterest.objects.filter(fair=fair, reminded_at__isnull=True)
        for interest_id, graduate_id in pending.values_list("id", "graduate_id").order_by("id").iterator():
            with transaction.atomic():
                claimed = FairInterest.objects.filter(pk=interest_id, reminded_at__isnull=True).update(reminded_at=now)
                if claimed != 1:
                    continue
                graduate = Graduate.objects.only("id", "phone").get(pk=graduate_id)
                notify(kind="fair.reminder", graduate=graduate, title=f"明天参加招聘会：{fair.title}"[:120],
                       body=f"招聘会将于{_minute(fair.starts_at)}在{fair.venue}举办，请携带学生证准时参加。",
                       link=reverse("fair", args=[fair.pk]))
                sent += 1
    return sent
