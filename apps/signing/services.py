"""网络签约: every step of online signing goes through these functions.

Preconditions are checked on the server at invite, accept and confirm. Acceptance is
atomic: the graduate's row is locked FOR UPDATE while the agreement is created, and a
partial unique index allows one agreement in force per graduate even if two requests
slip past the lock (SQLite serialises writers with IMMEDIATE transactions)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import graduate_check_signing_pin
from apps.audit.services import audit_record
from apps.core import throttle
from apps.core.crypto import token_digest
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.core.images import ProcessedImage, check_image_count, image_content_file, process_image
from apps.core.text import mask_phone, normalise
from apps.destinations.models import Destination, DestinationStatus
from apps.destinations.selectors import destination_blocks_signing
from apps.destinations.services import destination_register_from_agreement, destination_reset_after_termination
from apps.graduates.fields import LANDLINE, MOBILE
from apps.graduates.models import Graduate
from apps.notifications.services import notify
from apps.organisations.models import Employer
from apps.organisations.policy import policy_for
from apps.organisations.validators import clean_credit_code
from apps.signing.models import (
    Agreement,
    AgreementStatus,
    Invitation,
    InvitationStatus,
    PrintSession,
    ProbationType,
    SigningCard,
    Termination,
    TerminationLetter,
    TerminationReason,
    TerminationStatus,
)

CONFIRM_WINDOW_SECONDS = 60
PRINT_SESSION_MINUTES = 5
PRINT_VIEW_MINUTES = 10
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
_CARD_SALT = "signing.card"


def card_minutes() -> int:
    """二维码名片 validity (settings.SIGNING_CARD_MINUTES, 60 by default: long enough for a
    recruiter to fill the whole form on a phone). Read at each use, like every page that states it."""
    return settings.SIGNING_CARD_MINUTES


# The review an agreement needs before it may be printed: 学校终审 (the destination's final
# approval); 院系初审 alone is not enough. The print refusal and every page say so from here.
PRINT_REQUIRED_STATUS = DestinationStatus.SCHOOL_APPROVED
REVIEW_LEVEL_NAMES = {DestinationStatus.COLLEGE_APPROVED: "院系初审", DestinationStatus.SCHOOL_APPROVED: "学校终审"}


@dataclass(frozen=True)
class TerminationLevel:
    """One level of 解约审核: who reviews, the status it acts on and the one approval gives."""

    code: str
    name: str
    role: str
    acts_on: str
    approves_to: str


# 解约审核: 院系初审, then 学校终审; only the last level's approval ends the agreement and
# lets the graduate sign again (termination_review and every page read this tuple)
TERMINATION_LEVELS = (
    TerminationLevel("college", "院系初审", Role.COLLEGE_STAFF, TerminationStatus.SUBMITTED,
                     TerminationStatus.COLLEGE_APPROVED),
    TerminationLevel("school", "学校终审", Role.SCHOOL_STAFF, TerminationStatus.COLLEGE_APPROVED,
                     TerminationStatus.APPROVED),
)
TERMINATION_PENDING = tuple(level.acts_on for level in TERMINATION_LEVELS)


def _now() -> datetime:
    return timezone.now()


def _code(length: int) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


_hash = token_digest


def _audit(actor, obj, action, summary, graduate, changes=None, client_address="", employer_name=""):
    """`employer_name`: an employer acting through its link, without an account."""
    audit_record(actor=actor, action=action, summary=summary, target=obj, school_id=graduate.school_id,
                 college_id=graduate.college_id, graduate_id=graduate.pk, changes=changes or {},
                 client_address=client_address,
                 actor_kind="employer" if (employer_name and actor is None) else None,
                 actor_label=f"用人单位：{employer_name}" if (employer_name and actor is None) else None)


# --- preconditions ------------------------------------------------------------------------

@dataclass(frozen=True)
class Unmet:
    code: str
    message: str  # what failed and how to fix it


def signing_preconditions(graduate: Graduate, *, now: datetime | None = None) -> list[Unmet]:
    now = now or _now()
    unmet = []
    if not graduate.origin_confirmed_at:
        unmet.append(Unmet("origin_not_confirmed", "生源信息尚未确认：请在【登记】→【生源信息】中核对并确认后再签约"))
    blocking = destination_blocks_signing(graduate.pk)
    if blocking is not None and not Agreement.objects.filter(graduate=graduate, status=AgreementStatus.IN_FORCE).exists():
        from apps.destinations.catalog import category

        name = getattr(category(blocking.category_code), "name", blocking.category_code)
        unmet.append(Unmet("destination_registered",
                           f"当前毕业去向为“{name}”：网签要求毕业去向为待就业，请先在【毕业去向登记】中改为待就业"))
    if Agreement.objects.filter(graduate=graduate, status=AgreementStatus.IN_FORCE).exists():
        unmet.append(Unmet("agreement_in_force", "您已与一家单位签约，只能与一家单位签约；如需变更请先办理网络解约"))
    opens = policy_for(graduate.school, graduate.cohort).signing_opens_on
    if timezone.localdate(now) < opens:
        unmet.append(Unmet("signing_not_open", f"学校网签将于{opens:%Y年%m月%d日}开放，请届时再签约"))
    return unmet


def _require_preconditions(graduate: Graduate, now: datetime, *, receiving: bool = False) -> None:
    """`receiving`: an invitation may arrive whatever the current destination (手册：可以接收
    不同单位的职位邀请，不受当前去向登记影响); accepting and confirming need 待就业."""
    unmet = [u for u in signing_preconditions(graduate, now=now)
             if not (receiving and u.code == "destination_registered")]
    if unmet:
        raise DomainError("暂不能签约：" + "；".join(u.message for u in unmet), code=unmet[0].code,
                          fields={u.code: u.message for u in unmet})


# --- 二维码名片 ------------------------------------------------------------------------------

def card_issue(*, actor, now: datetime | None = None) -> tuple[SigningCard, str]:
    """A fresh card for the graduate: (card, signed token for the QR link)."""
    if actor is None or actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden()
    now = now or _now()
    SigningCard.objects.filter(graduate_id=actor.graduate_id, expires_at__lt=now).delete()
    for _ in range(5):
        try:
            with transaction.atomic():
                card = SigningCard.objects.create(graduate_id=actor.graduate_id, short_code=_code(8),
                                                  expires_at=now + timedelta(minutes=card_minutes()))
            break
        except IntegrityError:
            continue
    token = signing.dumps({"c": card.pk}, salt=_CARD_SALT, compress=True)
    return card, token


def card_resolve(*, token: str = "", short_code: str = "", client_address: str = "",
                 now: datetime | None = None) -> SigningCard:
    """The card behind a scanned link or a typed code. Forged, expired or unknown → refused."""
    now = now or _now()
    expired = DomainError("二维码名片已过期，请毕业生重新打开【我的】→【二维码名片】", code="card_expired")
    if token:
        try:
            payload = signing.loads(token, salt=_CARD_SALT, max_age=card_minutes() * 60)
        except signing.SignatureExpired:
            raise expired from None
        except signing.BadSignature:
            raise DomainError("二维码无效，请重新扫描毕业生的二维码名片", code="card_invalid") from None
        card = SigningCard.objects.select_related("graduate", "graduate__school").filter(pk=payload.get("c")).first()
    else:
        # Count the typed code first, then look it up: parallel guesses cannot get more
        # than the limit looked up. A code that exists was no guess and gives its slot back.
        throttle.take("card-code", client_address, limit=settings.LOGIN_THROTTLE_PER_ADDRESS,
                      window_seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS,
                      message="尝试次数过多，请{minutes}分钟后再试")
        card = SigningCard.objects.select_related("graduate", "graduate__school").filter(
            short_code=normalise(short_code).upper()).first()
        if card is None:
            raise DomainError("名片码不存在，请核对后重新输入", code="card_invalid")  # the try stays counted
        throttle.undo("card-code", client_address)
    if card is None or card.expires_at <= now:
        raise expired
    return card


# --- invitations (employer side) ---------------------------------------------------------

_TEXT_LIMITS = {"unit_name": 200, "unit_address": 200, "contact_person": 50, "position_name": 100, "work_place": 200,
                "social_insurance": 200, "breach_conditions": 500, "remarks": 1000}
_REQUIRED = {"unit_name": "单位名称", "credit_code": "统一社会信用代码", "unit_nature_code": "单位性质",
             "industry_code": "单位行业", "unit_division": "单位所在地", "unit_address": "单位地址",
             "contact_person": "联系人", "contact_phone": "联系电话", "position_name": "职位名称",
             "position_category_code": "工作职位类别", "work_place": "工作地点", "contract_years": "合同期限",
             "probation_type": "试用期/见习期", "monthly_pay": "月工资", "social_insurance": "社会保险"}


def _int_field(data, name, label, errors, *, minimum=0, maximum=10**7):
    raw = data.get(name)
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        errors[name] = f"{label}应为整数"
        return None
    if not minimum <= value <= maximum:
        errors[name] = f"{label}应在{minimum}到{maximum}之间"
        return None
    return value


def _clean_invitation(data: dict[str, Any]) -> dict[str, Any]:
    from apps.reference.selectors import code_labels, county_division

    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, label in _REQUIRED.items():
        if str(data.get(name, "") or "").strip() == "":
            errors[name] = f"请填写{label}"
    for name, limit in _TEXT_LIMITS.items():
        value = str(data.get(name, "") or "").strip()
        if len(value) > limit:
            errors[name] = f"不超过{limit}个字"
        out[name] = value
    if "credit_code" not in errors:
        try:
            out["credit_code"], out["credit_code_flagged"] = clean_credit_code(data["credit_code"])
        except DomainError as exc:
            errors["credit_code"] = exc.message
    for name, table in (("unit_nature_code", "unit_nature"), ("industry_code", "industry"),
                        ("position_category_code", "position_category")):
        value = normalise(data.get(name))
        if name not in errors and value not in code_labels(table):
            errors[name] = "不是有效的选项"
        out[name] = value
    if "unit_division" not in errors:
        division = county_division(normalise(data.get("unit_division")))
        if division is None:
            errors["unit_division"] = "单位所在地须选择到具体的区县"
        out["unit_division"] = division
    phone = normalise(data.get("contact_phone"))
    if "contact_phone" not in errors and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        errors["contact_phone"] = "请输入正确的手机号码或固定电话"
    out["contact_phone"] = phone
    if "contract_years" not in errors:
        out["contract_years"] = _int_field(data, "contract_years", "合同期限", errors, minimum=1, maximum=10)
    probation = normalise(data.get("probation_type"))
    if "probation_type" not in errors and probation not in ProbationType.values:
        errors["probation_type"] = "请选择试用期、见习期或无"
    out["probation_type"] = probation
    months = _int_field(data, "probation_months", "试用/见习期限", errors, maximum=12) if str(
        data.get("probation_months", "") or "").strip() else 0
    if probation == ProbationType.PROBATION and months is not None and not 1 <= months <= 6:
        errors["probation_months"] = "试用期应为1到6个月"
    if probation == ProbationType.TRAINEESHIP and months is not None and months != 12:
        errors["probation_months"] = "见习期为一年（12个月）"
    if probation == ProbationType.NONE:
        months = 0
    out["probation_months"] = months or 0
    if "monthly_pay" not in errors:
        out["monthly_pay"] = _int_field(data, "monthly_pay", "月工资", errors, minimum=1, maximum=1_000_000)
    out["breach_penalty"] = _int_field(data, "breach_penalty", "违约金", errors, maximum=1_000_000) if str(
        data.get("breach_penalty", "") or "").strip() else 0
    if out.get("breach_penalty") and not out["breach_conditions"]:
        errors["breach_conditions"] = "约定违约金时请写明违约条件"
    for name in ("accepts_archive", "accepts_household"):
        out[name] = str(data.get(name, "")).lower() in ("1", "true", "on", "yes", "是")
    if errors:
        first = next(iter(errors))
        raise DomainError(f"{_REQUIRED.get(first, first)}：{errors[first]}" if first in _REQUIRED else errors[first],
                          code="invalid", fields=errors)
    return out


def _expire_stale(graduate_id: int | None = None, now: datetime | None = None) -> int:
    """Invitations past their validity become 已过期 (also run periodically by a task)."""
    now = now or _now()
    qs = Invitation.objects.filter(status=InvitationStatus.OPEN, expires_at__lte=now)
    if graduate_id is not None:
        qs = qs.filter(graduate_id=graduate_id)
    # almost always nothing has lapsed: ask for ids first, so the common case does not pay
    # for compiling the wide graduate + employer join (bench/signing_confirm.py: the two
    # calls per confirmation were ~12 % of its CPU)
    if not qs.exists():
        return 0
    expired = list(qs.select_related("graduate", "employer"))
    if not expired:
        return 0
    Invitation.objects.filter(pk__in=[i.pk for i in expired]).update(status=InvitationStatus.EXPIRED, decided_at=now)
    for invitation in expired:
        notify(kind="invitation_expired", title=f"{invitation.unit_name}的签约邀约已过期", graduate=invitation.graduate)
        notify(kind="invitation_expired", title=f"发给{invitation.graduate.name}的签约邀约已过期",
               employer=invitation.employer)
    return len(expired)


def invitations_expire(now: datetime | None = None) -> int:
    """Sweep every lapsed invitation (reads also expire them lazily, per graduate)."""
    return _expire_stale(None, now)


def _refuse_suspended(employer) -> None:
    """A suspended employer sends no signing invitation, by its account or by the card link
    (the unit is found by the credit code typed)."""
    from apps.employers.rules import employer_signing_refusal

    refusal = employer_signing_refusal(employer)
    if refusal:
        raise DomainError(refusal, code="employer_suspended")


def invitation_create(*, card: SigningCard, data: dict[str, Any], certificate, employer_user=None,
                      client_address: str = "", now: datetime | None = None) -> tuple[Invitation, str]:
    """邀约确认. Returns the invitation and the employer's secret follow token."""
    now = now or _now()
    cleaned = _clean_invitation(data)
    if certificate is None:
        raise DomainError("请上传统一社会信用代码证图片", code="certificate_missing", fields={"certificate": "必传"})
    # a certificate kept with the form's draft (certificate_draft.py) was checked already
    processed = certificate if isinstance(certificate, ProcessedImage) else process_image(certificate)
    graduate = card.graduate
    if employer_user is not None and employer_user.employer_id and employer_user.employer.credit_code != cleaned["credit_code"]:
        raise DomainError("统一社会信用代码与本单位账号不一致", code="credit_code_mismatch")
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        locked = Graduate.objects.select_for_update().get(pk=graduate.pk)
        _require_preconditions(locked, now, receiving=True)
        _expire_stale(locked.pk, now)
        employer, _ = Employer.objects.get_or_create(
            credit_code=cleaned["credit_code"],
            defaults={"name": cleaned["unit_name"], "nature_code": cleaned["unit_nature_code"],
                      "industry_code": cleaned["industry_code"], "division": cleaned["unit_division"],
                      "address": cleaned["unit_address"], "credit_code_flagged": cleaned["credit_code_flagged"]},
        )
        _refuse_suspended(employer)
        if Invitation.objects.filter(graduate=locked, employer=employer, status=InvitationStatus.OPEN).exists():
            raise DomainError("贵单位已向该毕业生发出邀约且尚未处理，不能重复发送；如需修改请先撤回", code="duplicate_invitation")
        content = image_content_file(processed)
        stored = default_storage.save(f"certificates/{locked.school_id}/{content.name}", content)
        validity = policy_for(locked.school, locked.cohort).invitation_validity_days
        invitation = Invitation.objects.create(
            graduate=locked, school_id=locked.school_id, college_id=locked.college_id, employer=employer,
            sent_by=employer_user, follow_token_hash=_hash(token), certificate=stored,
            expires_at=now + timedelta(days=validity), **cleaned,
        )
        _audit(employer_user, invitation, "invitation.create", f"{invitation.unit_name}发出网签邀约", locked,
               {"contact_phone": ["", mask_phone(invitation.contact_phone)]}, client_address,
               employer_name=invitation.unit_name)
        notify(kind="invitation_received", title=f"您收到{invitation.unit_name}的网签邀约",
               body=f"职位：{invitation.position_name}，请在{validity}天内处理", link="/signing/invitations/",
               graduate=locked)
    return invitation, token


def invitation_for_follow_token(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("graduate", "graduate__school", "employer").filter(
        follow_token_hash=_hash(token or "")).first()
    if invitation is None:
        raise NotFound("邀约不存在或链接无效")
    _expire_stale(invitation.graduate_id)
    invitation.refresh_from_db()
    return invitation


def invitation_withdraw(*, invitation: Invitation, employer_user=None, follow_token: str = "",
                        client_address: str = "") -> Invitation:
    """撤回 by the employer (its account, or the follow link) before the graduate accepts."""
    allowed = (employer_user is not None and employer_user.employer_id == invitation.employer_id) or (
        follow_token and _hash(follow_token) == invitation.follow_token_hash)
    if not allowed:
        raise Forbidden()
    _expire_stale(invitation.graduate_id)  # a lapsed invitation is 已过期, not 已撤回
    with transaction.atomic():
        locked = Invitation.objects.select_for_update(of=("self",)).select_related("graduate").get(pk=invitation.pk)
        if locked.status != InvitationStatus.OPEN:
            raise DomainError(f"邀约当前状态为“{locked.get_status_display()}”，不能撤回", code="not_open")
        locked.status, locked.decided_at = InvitationStatus.WITHDRAWN, _now()
        locked.save(update_fields=["status", "decided_at"])
        _audit(employer_user, locked, "invitation.withdraw", f"{locked.unit_name}撤回网签邀约", locked.graduate,
               client_address=client_address, employer_name=locked.unit_name)
        notify(kind="invitation_withdrawn", title=f"{locked.unit_name}撤回了网签邀约", graduate=locked.graduate)
    return locked


def _graduate_invitation(actor, invitation: Invitation) -> None:
    if actor is None or actor.role != Role.GRADUATE or actor.graduate_id != invitation.graduate_id:
        raise NotFound()


def invitation_decline(*, actor, invitation: Invitation, reason: str, client_address: str = "") -> Invitation:
    _graduate_invitation(actor, invitation)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写拒绝原因", code="reason_required", fields={"reason": "必填"})
    _expire_stale(invitation.graduate_id)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update(of=("self",)).select_related("graduate", "employer").get(pk=invitation.pk)
        if locked.status != InvitationStatus.OPEN:
            raise DomainError(f"邀约当前状态为“{locked.get_status_display()}”，不能拒绝", code="not_open")
        locked.status, locked.decided_at, locked.decline_reason = InvitationStatus.DECLINED, _now(), reason[:300]
        locked.save(update_fields=["status", "decided_at", "decline_reason"])
        _audit(actor, locked, "invitation.decline", f"拒绝{locked.unit_name}的网签邀约", locked.graduate,
               {"reason": ["", reason[:300]]}, client_address)
        notify(kind="invitation_declined", title=f"{locked.graduate.name}拒绝了签约邀约", body=f"原因：{reason[:200]}",
               employer=locked.employer)
    return locked


# --- acceptance: 60-second window + signing PIN -------------------------------------------

def acceptance_open(*, actor, invitation: Invitation, now: datetime | None = None) -> datetime:
    """接受: opens the 60-second confirmation window; returns its deadline."""
    now = now or _now()
    _graduate_invitation(actor, invitation)
    _expire_stale(invitation.graduate_id, now)  # committed even when this acceptance is refused
    with transaction.atomic():
        locked = Invitation.objects.select_for_update(of=("self",)).select_related("graduate", "graduate__school").get(pk=invitation.pk)
        if locked.status != InvitationStatus.OPEN:
            raise DomainError(f"邀约当前状态为“{locked.get_status_display()}”，不能接受", code="not_open")
        _require_preconditions(locked.graduate, now)
        locked.confirm_opened_at = now
        locked.save(update_fields=["confirm_opened_at"])
    return now + timedelta(seconds=CONFIRM_WINDOW_SECONDS)


def _check_window(invitation: Invitation, now: datetime) -> None:
    if invitation.status == InvitationStatus.OPEN and invitation.expires_at <= now:
        raise DomainError("邀约已过期", code="expired")
    if invitation.status != InvitationStatus.OPEN:
        raise DomainError(f"邀约当前状态为“{invitation.get_status_display()}”，不能签约", code="not_open")
    opened = invitation.confirm_opened_at
    if opened is None or (now - opened).total_seconds() > CONFIRM_WINDOW_SECONDS:
        raise DomainError(f"确认已超过{CONFIRM_WINDOW_SECONDS}秒，请重新点击“接受”后在{CONFIRM_WINDOW_SECONDS}秒内确认",
                          code="window_expired")


def _agreement_number(school_code: str, now: datetime) -> str:
    return f"WQ{timezone.localdate(now):%Y%m%d}{school_code}{_code(6)}"


def acceptance_confirm(*, actor, invitation: Invitation, pin: str, client_address: str, user_agent: str = "",
                       now: datetime | None = None) -> Agreement:
    """确认签约 within 60 s with the graduate's PIN: creates the agreement, voids every other
    open invitation (已失效), registers the destination and notifies the employer."""
    now = now or _now()
    _graduate_invitation(actor, invitation)
    _expire_stale(invitation.graduate_id, now)
    invitation.refresh_from_db()
    _check_window(invitation, now)
    graduate = Graduate.objects.select_related("school").get(pk=invitation.graduate_id)
    _require_preconditions(graduate, now)  # cheap state first (again under the lock): no PIN try spent on a refusal
    # the PIN is checked outside the transaction: a refusal rolls the transaction back, and
    # the failure counter (a database row by default) must survive that
    graduate_check_signing_pin(graduate=graduate, pin=pin, client_address=client_address)
    try:
        with transaction.atomic():
            # the graduate row lock serialises every acceptance of this graduate
            graduate = Graduate.objects.select_for_update(of=("self",)).select_related("school").get(pk=invitation.graduate_id)
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            _check_window(locked, now)
            _require_preconditions(graduate, now)
            agreement = Agreement.objects.create(
                number=_agreement_number(graduate.school.code, now), verification_code=_code(10), invitation=locked,
                graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id,
                employer_id=locked.employer_id, accepted_at=now, accepted_address=client_address[:64],
                accepted_user_agent=user_agent[:300],
            )
            locked.status, locked.decided_at = InvitationStatus.ACCEPTED, now
            locked.save(update_fields=["status", "decided_at"])
            others = list(Invitation.objects.filter(graduate=graduate, status=InvitationStatus.OPEN).exclude(pk=locked.pk)
                          .select_related("employer"))
            Invitation.objects.filter(pk__in=[o.pk for o in others]).update(status=InvitationStatus.SUPERSEDED,
                                                                            decided_at=now)
            destination_register_from_agreement(actor=actor, agreement=agreement, client_address=client_address)
            _audit(actor, agreement, "agreement.accept", f"与{locked.unit_name}网络签约（协议{agreement.number}）",
                   graduate, {"invitations_superseded": [0, len(others)]}, client_address)
            notify(kind="invitation_accepted", title=f"{graduate.name}已接受签约邀约", body=f"协议编号{agreement.number}",
                   employer=locked.employer)
            for other in others:
                notify(kind="invitation_superseded", title=f"{graduate.name}已与其他单位签约，贵单位的邀约已失效",
                       employer=other.employer)
            notify(kind="agreement_signed", title="签约成功，待学校审核", body=f"协议编号{agreement.number}",
                   graduate=graduate, link="/signing/agreement/")
    except IntegrityError:
        # the partial unique index caught a race the lock did not (should not happen)
        raise DomainError("您已与一家单位签约，只能与一家单位签约", code="agreement_in_force") from None
    return agreement


# --- agreement status and its review ---------------------------------------------------------

def agreement_in_force(graduate_id: int) -> Agreement | None:
    return (Agreement.objects.select_related("invitation", "employer", "school", "college")
            .filter(graduate_id=graduate_id, status=AgreementStatus.IN_FORCE).first())


def agreement_review_status(agreement: Agreement) -> str:
    """What the graduate and employer see of the review (签约成功，待学校审核 / 学校审核通过 /
    退回…): the title of apps/signing/presenters.py's review state, the one source of it."""
    from apps.signing.presenters import agreement_review

    return agreement_review(agreement).title


def agreement_is_approved(agreement: Agreement) -> bool:
    return agreement.status == AgreementStatus.IN_FORCE and Destination.objects.filter(
        graduate_id=agreement.graduate_id, status=PRINT_REQUIRED_STATUS).exists()


# --- termination (网络解约申请) ------------------------------------------------------------------

def _termination_allowed(graduate: Graduate, now: datetime) -> Agreement:
    """The agreement a termination may be applied for, or the refusal."""
    agreement = Agreement.objects.filter(graduate=graduate, status=AgreementStatus.IN_FORCE).first()
    if agreement is None:
        raise DomainError("没有生效的网签协议；网络解约仅限通过网络签约的毕业生", code="no_agreement")
    policy = policy_for(graduate.school, graduate.cohort)
    if timezone.localdate(now) < policy.termination_opens_on:
        raise DomainError(f"学校设置的解约日期（{policy.termination_opens_on:%Y年%m月%d日}）之前不能解约",
                          code="termination_not_open")
    used = Termination.objects.filter(graduate=graduate, status=TerminationStatus.APPROVED).count()
    if used >= policy.max_terminations:
        raise DomainError(f"已达到最大解约次数（{policy.max_terminations}次），不能再解约", code="termination_limit")
    if Termination.objects.filter(agreement=agreement, status__in=TERMINATION_PENDING).exists():
        raise DomainError("已有待审核的解约申请", code="termination_pending")
    return agreement


def termination_apply(*, actor, reason: str, explanation: str, letters: list, pin: str, is_change: bool = False,
                      client_address: str = "", now: datetime | None = None) -> Termination:
    now = now or _now()
    if actor is None or actor.role != Role.GRADUATE:
        raise Forbidden()
    if reason not in TerminationReason.values:
        raise DomainError("请选择解约原因", fields={"reason": "请选择"})
    explanation = (explanation or "").strip()
    if not explanation:
        raise DomainError("请说明解约情况（双方均同意解除协议）", fields={"explanation": "必填"})
    if not letters:
        raise DomainError("请上传用人单位出具并加盖公章或人力资源章的解约材料", code="letter_missing", fields={"letters": "必传"})
    check_image_count(0, len(letters))
    # the cheap state first (checked again under the lock): a refused application costs
    # neither image processing nor one of the graduate's PIN tries
    graduate = Graduate.objects.select_related("school").get(pk=actor.graduate_id)
    _termination_allowed(graduate, now)
    processed = [process_image(f) for f in letters]
    # PIN outside the transaction, so failed attempts are counted (see acceptance_confirm)
    graduate_check_signing_pin(graduate=graduate, pin=pin, client_address=client_address)
    with transaction.atomic():
        graduate = Graduate.objects.select_for_update(of=("self",)).select_related("school").get(pk=actor.graduate_id)
        agreement = _termination_allowed(graduate, now)
        termination = Termination.objects.create(
            agreement=agreement, graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id,
            reason=reason, explanation=explanation[:500], is_change=is_change, submitted_address=client_address[:64],
        )
        for image in processed:
            content = image_content_file(image)
            stored = default_storage.save(f"terminations/{graduate.school_id}/{content.name}", content)
            TerminationLetter.objects.create(termination=termination, file=stored, width=image.width,
                                             height=image.height, size=image.size)
        _audit(actor, termination, "termination.apply", f"申请解除与{agreement.invitation.unit_name}的协议", graduate,
               {"reason": ["", termination.get_reason_display()]}, client_address)
    return termination


def termination_review(*, actor, termination: Termination, approve: bool, reason: str = "",
                       client_address: str = "", now: datetime | None = None) -> Termination:
    """院系初审 then 学校终审; on final approval the agreement ends and the destination
    returns to 待就业, so the graduate may sign again."""
    now = now or _now()
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError("不通过时请填写原因", fields={"reason": "必填"})
    with transaction.atomic():
        locked = Termination.objects.select_for_update(of=("self",)).select_related("agreement", "graduate").get(pk=termination.pk)
        in_scope = {Role.COLLEGE_STAFF: lambda: actor.college_id == locked.college_id,
                    Role.SCHOOL_STAFF: lambda: actor.school_id == locked.school_id}
        level = next((x for x in TERMINATION_LEVELS if actor is not None and actor.role == x.role), None)
        if level is None or not in_scope[level.role]():
            raise Forbidden()
        if locked.status != level.acts_on:
            earlier = [x for x in TERMINATION_LEVELS if x.acts_on == locked.status]
            if earlier and TERMINATION_LEVELS.index(earlier[0]) < TERMINATION_LEVELS.index(level):
                raise DomainError(f"该解约申请尚未经{earlier[0].name}", code="college_review_first")
            raise DomainError(f"当前状态为“{locked.get_status_display()}”，不能审核", code="wrong_status")
        setattr(locked, f"{level.code}_reviewed_by", actor)
        setattr(locked, f"{level.code}_reviewed_at", now)
        locked.status = level.approves_to if approve else TerminationStatus.REJECTED
        if not approve:
            locked.reject_reason = reason[:300]
        locked.save()
        graduate = locked.graduate
        if locked.status == TerminationStatus.APPROVED:
            agreement = Agreement.objects.select_for_update().get(pk=locked.agreement_id)
            agreement.status, agreement.terminated_at = AgreementStatus.TERMINATED, now
            agreement.save(update_fields=["status", "terminated_at"])
            destination_reset_after_termination(actor=actor, graduate_id=graduate.pk, client_address=client_address)
            notify(kind="termination_decided", title=f"{graduate.name}的协议已解除", body=f"协议编号{agreement.number}",
                   employer=agreement.employer)
        verdict = {"college_approved": "解约初审通过", "approved": "解约终审通过，协议已解除",
                   "rejected": f"解约申请未通过：{reason}"}[locked.status]
        _audit(actor, locked, "termination.review", verdict, graduate, {"status": ["", locked.get_status_display()]},
               client_address)
        notify(kind="termination_decided", title=verdict, graduate=graduate, link="/signing/termination/")
    return locked


# --- self-print (协议书自助打印) -----------------------------------------------------------------

PRINT_SESSIONS_PER_ADDRESS = 120  # per throttle window: a school's PC lab may share one address


def print_session_start(*, client_address: str = "", now: datetime | None = None) -> tuple[PrintSession, str]:
    """The public PC page asks for a session; it keeps the secret, shows QR + code.
    Public, so bounded per client address."""
    now = now or _now()
    if client_address:  # every start counts, before the session is made
        throttle.take("print-start", client_address, limit=PRINT_SESSIONS_PER_ADDRESS,
                      window_seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS,
                      message="打印请求过于频繁，请{minutes}分钟后再试")
    PrintSession.objects.filter(expires_at__lt=now - timedelta(minutes=PRINT_VIEW_MINUTES)).delete()
    secret = secrets.token_urlsafe(24)
    for _ in range(5):
        try:
            with transaction.atomic():
                session = PrintSession.objects.create(short_code=_code(6), pc_secret_hash=_hash(secret),
                                                      expires_at=now + timedelta(minutes=PRINT_SESSION_MINUTES))
            return session, secret
        except IntegrityError:
            continue
    raise DomainError("请稍后重试")


def print_session_claim(*, actor, short_code: str, client_address: str = "", now: datetime | None = None) -> PrintSession:
    """The graduate scans the PC page's QR (or types its code) and confirms: one time only,
    and only for an agreement the school has approved."""
    now = now or _now()
    if actor is None or actor.role != Role.GRADUATE:
        raise Forbidden()
    with transaction.atomic():
        session = PrintSession.objects.select_for_update().filter(short_code=normalise(short_code).upper()).first()
        if session is None or session.expires_at <= now:
            raise DomainError("打印码无效或已过期，请刷新电脑上的打印页面", code="print_expired")
        if session.claimed_at is not None:
            raise DomainError("该打印码已使用，请刷新电脑上的打印页面", code="print_used")
        agreement = agreement_in_force(actor.graduate_id)
        if agreement is None or not agreement_is_approved(agreement):
            raise DomainError(f"只有{REVIEW_LEVEL_NAMES[PRINT_REQUIRED_STATUS]}通过的网签协议才能自助打印",
                              code="not_approved")
        session.claimed_at, session.agreement = now, agreement
        session.save(update_fields=["claimed_at", "agreement"])
        _audit(actor, agreement, "agreement.print", "自助打印协议书", agreement.graduate, client_address=client_address)
    return session


def print_session_for_pc(*, session_id: int, secret: str, now: datetime | None = None) -> PrintSession:
    now = now or _now()
    session = PrintSession.objects.select_related("agreement").filter(pk=session_id, pc_secret_hash=_hash(secret or "")).first()
    if session is None:
        raise NotFound("打印会话不存在")
    if session.claimed_at is None and session.expires_at <= now:
        raise DomainError("二维码已过期，请刷新页面", code="print_expired")
    if session.claimed_at is not None and now - session.claimed_at > timedelta(minutes=PRINT_VIEW_MINUTES):
        raise DomainError("打印页面已过期，请刷新页面重新扫码", code="print_expired")
    return session



# --- the graduate's and the employer's pages and API ----------------------------------------------
# (added with the signing pages: read helpers, the registered employer's start, corrections)

# the handbook's warning, shown before and after acceptance (the review never dissolves an agreement)
BINDING_NOTICE = ("毕业生同意签约后，即双方达成事实上的合约关系，不受院校的审核状态的影响。部分毕业生误认为院校审核不通过就是"
                  "解除与用人单位的劳动关系，免除向用人单位缴纳违约金；院校的审核不通过只是对数据的规范性进行审核，比如单位"
                  "名称错字、单位行业等内容不正确、联系方式缺失等，不干涉毕业生与用人单位已签的协议。")
_PRECONDITION_CODES = ("origin_not_confirmed", "destination_registered", "agreement_in_force", "signing_not_open")
EMPLOYER_LOOKUP_SCOPE = "employer-lookup"


def card_token(card: SigningCard) -> str:
    """The signed token of a card's link, e.g. for a card found by its typed short code."""
    return signing.dumps({"c": card.pk}, salt=_CARD_SALT, compress=True)


def _new_card(graduate_id: int, now: datetime) -> SigningCard:
    SigningCard.objects.filter(graduate_id=graduate_id, expires_at__lt=now).delete()
    for _ in range(5):
        try:
            with transaction.atomic():
                return SigningCard.objects.create(graduate_id=graduate_id, short_code=_code(8),
                                                  expires_at=now + timedelta(minutes=card_minutes()))
        except IntegrityError:
            continue
    raise DomainError("请稍后重试")


def card_issue_for_employer(*, actor, school_id, name: str, student_number: str, client_address: str = "",
                            now: datetime | None = None) -> tuple[SigningCard, str]:
    """A registered employer starts signing from its own page (no QR scan): exactly one
    graduate of the school's current cohort with that name and student number gets a card
    the employer uses at once. Anything else is 未找到该毕业生; repeated misses are throttled."""
    from apps.core.text import normalise_name
    from apps.organisations.models import School

    if actor is None or not actor.is_authenticated or actor.role != Role.EMPLOYER or not actor.employer_id:
        raise Forbidden()
    _refuse_suspended(Employer.objects.filter(pk=actor.employer_id).first())
    now = now or _now()
    subject = str(actor.pk)
    name, number = normalise_name(name), normalise(student_number)
    errors = {}
    if not name:
        errors["name"] = "请填写毕业生姓名"
    if not number:
        errors["student_number"] = "请填写学号"
    school = School.objects.filter(pk=school_id, is_active=True).first() if str(school_id or "").isdigit() else None
    if school is None:
        errors["school"] = "请选择院校"
    if errors:  # incomplete input is no guess: refused before it is counted
        raise DomainError(next(iter(errors.values())), code="invalid", fields=errors)
    # Count the lookup first, then search: parallel lookups cannot get more than the limit
    # searched. A lookup that finds the graduate gives its slot back (only misses count).
    throttle.take(EMPLOYER_LOOKUP_SCOPE, subject, limit=settings.LOGIN_THROTTLE_PER_ADDRESS,
                  window_seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS, message="查找次数过多，请{minutes}分钟后再试")
    matches = list(Graduate.objects.filter(school=school, cohort=school.current_cohort, name=name,
                                           student_number=number)[:2])
    if len(matches) != 1:
        raise DomainError("未找到该毕业生，请核对院校、姓名和学号", code="graduate_not_found")  # stays counted
    throttle.undo(EMPLOYER_LOOKUP_SCOPE, subject)
    graduate = matches[0]
    with transaction.atomic():
        card = _new_card(graduate.pk, now)
        _audit(actor, card, "signing.employer_lookup", f"{actor.employer.name}查找毕业生以发起网签", graduate,
               client_address=client_address)
    return card, card_token(card)


def card_issue_for_application(*, actor, graduate: Graduate, client_address: str = "",
                               now: datetime | None = None) -> tuple[SigningCard, str]:
    """A registered employer starts signing with a graduate it already knows (an applicant it
    hired, apps/applications): no name/number lookup, a fresh card used at once. The caller
    checked that the graduate applied to this employer; the graduate still accepts in 网签."""
    from apps.employers.rules import employer_signing_refusal

    if actor is None or not actor.is_authenticated or actor.role != Role.EMPLOYER or not actor.employer_id:
        raise Forbidden()
    refusal = employer_signing_refusal(Employer.objects.filter(pk=actor.employer_id).first())  # fresh: not the cached one
    if refusal:
        raise DomainError(refusal, code="employer_suspended")
    now = now or _now()
    with transaction.atomic():
        card = _new_card(graduate.pk, now)
        _audit(actor, card, "signing.employer_from_application", f"{actor.employer.name}从录用的投递发起网签", graduate,
               client_address=client_address)
    return card, card_token(card)


def invitations_for_graduate(*, actor):
    """The graduate's 网签邀约通知, lapsed ones marked 已过期 first."""
    from apps.accounts.scoping import visible_to

    if actor is None or actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden()
    _expire_stale(actor.graduate_id)
    return visible_to(Invitation, actor).select_related("employer", "unit_division")


def graduate_invitation_list(*, actor, now: datetime | None = None) -> list[Invitation]:
    """The graduate's 网签邀约通知 as a list, in one query when none has lapsed: the lapsed ones
    are found in the fetched rows (not by a query of their own first, as invitations_for_graduate
    does) and only then expired and the list read again."""
    from apps.accounts.scoping import visible_to

    if actor is None or actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden()
    now = now or _now()
    qs = visible_to(Invitation, actor).select_related("employer", "unit_division")
    invitations = list(qs)
    if any(i.status == InvitationStatus.OPEN and i.expires_at <= now for i in invitations):
        _expire_stale(actor.graduate_id, now)
        invitations = list(qs.all())
    return invitations


def invitations_for_employer(*, actor):
    """A registered employer's invitations (its account's scope), lapsed ones marked 已过期 first."""
    from apps.accounts.scoping import visible_to

    if actor is None or actor.role != Role.EMPLOYER or not actor.employer_id:
        raise Forbidden()
    lapsed = (Invitation.objects.filter(employer_id=actor.employer_id, status=InvitationStatus.OPEN,
                                        expires_at__lte=_now()).values_list("graduate_id", flat=True).distinct())
    for graduate_id in list(lapsed[:200]):
        _expire_stale(graduate_id)
    return visible_to(Invitation, actor).select_related("graduate", "graduate__school", "graduate__major",
                                                        "unit_division")


def precondition_message_for_employer(error: DomainError) -> str:
    """A refusal of the graduate's preconditions worded for the employer: what is wrong,
    without the graduate-side instructions."""
    texts = {"origin_not_confirmed": "毕业生尚未确认生源信息",
             "destination_registered": "毕业生当前毕业去向不是待就业",
             "agreement_in_force": "毕业生已与其他单位签约（只能与一家单位签约）"}
    if error.code not in _PRECONDITION_CODES:
        return error.message
    parts = [texts.get(code, message) for code, message in error.fields.items()] or [error.message]
    return "该毕业生目前暂不能签约：" + "；".join(parts) + "。请毕业生处理后重新出示二维码名片。"


def employer_precondition_notice(graduate: Graduate, *, now: datetime | None = None) -> str:
    """Shown on the employer's step 1 before it fills the long form ('' when signing is possible)."""
    # receiving an invitation does not depend on the current destination (see _require_preconditions)
    unmet = [u for u in signing_preconditions(graduate, now=now) if u.code != "destination_registered"]
    if not unmet:
        return ""
    return precondition_message_for_employer(DomainError("", code=unmet[0].code,
                                                         fields={u.code: u.message for u in unmet}))


def graduate_card_summary(graduate: Graduate) -> dict[str, str]:
    """What the employer sees of the graduate: no phone, ID number masked."""
    from apps.reference.selectors import code_label

    return {"name": graduate.name, "school": graduate.school.name, "major": graduate.major.name,
            "education_level": code_label("education_level", graduate.education_level_code, "employment-xldm"),
            "id_number_masked": graduate.masked_id_number}


def invitation_terms(invitation: Invitation) -> dict[str, Any]:
    """The invitation's terms with code labels, for pages and the API."""
    from apps.reference.selectors import code_label

    division = invitation.unit_division
    return {
        "unit_name": invitation.unit_name, "credit_code": invitation.credit_code,
        "credit_code_flagged": invitation.credit_code_flagged,
        "unit_nature_code": invitation.unit_nature_code, "unit_nature": code_label("unit_nature", invitation.unit_nature_code),
        "industry_code": invitation.industry_code, "industry": code_label("industry", invitation.industry_code),
        "unit_division_code": invitation.unit_division_id or "",
        "unit_division": division.full_name if division is not None else "",
        "unit_address": invitation.unit_address, "contact_person": invitation.contact_person,
        "contact_phone": invitation.contact_phone, "position_name": invitation.position_name,
        "position_category_code": invitation.position_category_code,
        "position_category": code_label("position_category", invitation.position_category_code),
        "work_place": invitation.work_place, "contract_years": invitation.contract_years,
        "probation_type": invitation.probation_type, "probation_type_label": invitation.get_probation_type_display(),
        "probation_months": invitation.probation_months, "monthly_pay": invitation.monthly_pay,
        "social_insurance": invitation.social_insurance, "breach_penalty": invitation.breach_penalty,
        "breach_conditions": invitation.breach_conditions, "accepts_archive": invitation.accepts_archive,
        "accepts_household": invitation.accepts_household, "remarks": invitation.remarks,
    }


def invitation_term_sections(invitation: Invitation) -> list[tuple[str, list[tuple[str, str]]]]:
    """The terms as labelled rows in the agreement's sections (单位信息, 职位与劳动合同, 违约约定)."""
    t = invitation_terms(invitation)
    yes_no = {True: "是", False: "否"}
    if t["probation_type"] == ProbationType.NONE:
        probation = "无"
    else:
        probation = f"{t['probation_type_label']}{t['probation_months']}个月"
    return [
        ("单位信息", [("单位名称", t["unit_name"]), ("统一社会信用代码", t["credit_code"]),
                     ("单位性质", t["unit_nature"]), ("单位行业", t["industry"]), ("单位所在地", t["unit_division"]),
                     ("单位地址", t["unit_address"]), ("联系人", t["contact_person"]),
                     ("联系电话", t["contact_phone"])]),
        ("职位与劳动合同", [("职位名称", t["position_name"]), ("工作职位类别", t["position_category"]),
                          ("工作地点", t["work_place"]), ("合同期限", f"{t['contract_years']}年"),
                          ("试用期/见习期", probation), ("月工资", f"{t['monthly_pay']}元"),
                          ("社会保险", t["social_insurance"]), ("接收档案", yes_no[t["accepts_archive"]]),
                          ("接收户口", yes_no[t["accepts_household"]])]),
        ("违约约定", [("违约金", f"{t['breach_penalty']}元" if t["breach_penalty"] else "无"),
                     ("违约条件", t["breach_conditions"] or "—"), ("备注", t["remarks"] or "—")]),
    ]


def signed_destination_returned(invitation: Invitation) -> Destination | None:
    """The online-signed destination of this invitation's agreement when the school returned
    it for corrections (the agreement stands); else None."""
    agreement = Agreement.objects.filter(invitation=invitation, status=AgreementStatus.IN_FORCE).first()
    if agreement is None:
        return None
    return Destination.objects.filter(graduate_id=agreement.graduate_id, status=DestinationStatus.RETURNED).first()


SIGNED_UNIT_FIELDS = ("unit_name", "credit_code", "unit_nature_code", "industry_code", "unit_division",
                      "unit_address", "position_category_code", "unit_contact", "unit_contact_phone")


def signed_unit_correct(*, invitation: Invitation, changes: dict[str, Any], employer_user=None, follow_token: str = "",
                        client_address: str = "") -> Destination:
    """The employer corrects its unit data after a review return (its account, or the follow
    link). The agreement stands; the destination goes back to the college for 初审."""
    from apps.destinations.services import destination_correct_signed_unit

    allowed = (employer_user is not None and employer_user.employer_id == invitation.employer_id) or (
        follow_token and _hash(follow_token) == invitation.follow_token_hash)
    if not allowed:
        raise Forbidden()
    destination = signed_destination_returned(invitation)
    if destination is None:
        raise DomainError("只有被学校退回的网签信息可以更正", code="not_returned")
    with transaction.atomic():
        corrected = destination_correct_signed_unit(
            actor=employer_user, destination=destination,
            changes={k: v for k, v in changes.items() if k in SIGNED_UNIT_FIELDS}, client_address=client_address)
        # the agreement's own copy of the unit data follows, so its PDF shows the corrected values
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        locked.unit_name, locked.credit_code = corrected.unit_name, corrected.credit_code
        locked.credit_code_flagged = corrected.credit_code_flagged
        locked.unit_nature_code, locked.industry_code = corrected.unit_nature_code, corrected.industry_code
        locked.unit_division_id, locked.unit_address = corrected.unit_division_id, corrected.unit_address
        locked.position_category_code = corrected.position_category_code
        locked.contact_person = corrected.unit_contact or locked.contact_person
        locked.contact_phone = corrected.unit_contact_phone or locked.contact_phone
        locked.save()
        invitation.refresh_from_db()
        notify(kind="agreement_corrected", title=f"{invitation.unit_name}已更正网签单位信息，待院系审核",
               graduate=invitation.graduate, link="/signing/agreement/")
    return corrected
