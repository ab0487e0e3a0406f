"""The doors of employer accounts (C9): registration (main account or sub-account), the main
account's decision on sub-accounts, profile edits, and the staff's review, suspension and
reinstatement. Each door checks who acts, runs in one transaction and leaves an audit entry.

Who decides on an employer: the province's staff when it asked the province for verification
(`verifier_school` empty), the school's staff when it asked that school. Province staff may
also suspend (and reinstate) any employer of their province. Callers fetch the employer through
`visible_to(Employer, actor)` first, so a stranger's employer is a 404 before it gets here."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.audit.services import audit_record
from apps.core import throttle
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.core.files import delete_stored_files
from apps.core.images import ProcessedImage, image_content_file, process_image
from apps.core.text import mask_phone, normalise
from apps.employers.models import EmployerMember, MemberStatus
from apps.graduates.fields import MOBILE
from apps.organisations.models import Employer, EmployerSize, EmployerStatus, Province, School
from apps.organisations.validators import clean_credit_code

MAX_REASON = 300
MAX_INTRODUCTION = 2000
REGISTER_SCOPE = "employer-register"
REGISTER_LIMIT = 20  # registration tries per client address per window
REGISTER_WINDOW_SECONDS = 3600
USERNAME_CHARS = re.compile(r"^[A-Za-z0-9_.@+-]{4,30}$")

# the fields a verified employer may still change on its own (the rest was verified)
VERIFIED_EDITABLE = ("contact_name", "contact_mobile", "address", "size", "introduction")
UNIT_FIELDS = ("name", "nature_code", "industry_code", "division", "address", "size", "contact_name",
               "contact_mobile", "introduction")

MSG_REASON_REQUIRED = "请填写原因"


# --- who decides -------------------------------------------------------------------------

def reviewer_refusal(actor, employer: Employer) -> str | None:
    """None when `actor` reviews this employer's verification; otherwise the Chinese reason."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "请先登录"
    if actor.role == Role.PROVINCE_STAFF:
        if employer.verifier_province_id != actor.province_id:
            return "该单位不属于本省"
        if employer.verifier_school_id is not None:
            return "该单位申请由院校认证，由该院校审核"
        return None
    if actor.role == Role.SCHOOL_STAFF:
        if employer.verifier_school_id is None or employer.verifier_school_id != actor.school_id:
            return "该单位不是向本校申请的认证"
        return None
    return "无权审核用人单位"


def suspender_refusal(actor, employer: Employer) -> str | None:
    """Province staff suspend any employer of their province; school staff the ones they verify."""
    if actor is not None and getattr(actor, "role", None) == Role.PROVINCE_STAFF:
        if employer.verifier_province_id is not None and employer.verifier_province_id == actor.province_id:
            return None
        return "该单位不属于本省"
    return reviewer_refusal(actor, employer)


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in (
            Role.PROVINCE_STAFF, Role.SCHOOL_STAFF):
        raise Forbidden("无权审核用人单位")


def _locked(employer: Employer) -> Employer:
    return Employer.objects.select_for_update().get(pk=employer.pk)


def _clean_reason(reason, *, required_message: str = MSG_REASON_REQUIRED) -> str:
    text = (str(reason) if reason is not None else "").strip()
    if not text:
        raise DomainError(required_message, code="reason_required", fields={"reason": required_message})
    if len(text) > MAX_REASON:
        message = f"原因不超过{MAX_REASON}个字"
        raise DomainError(message, code="too_long", fields={"reason": message})
    return text


def _notify(employer: Employer, title: str, body: str = "") -> None:
    from apps.notifications.services import notify

    notify(kind="employer.review", title=title, body=body, link="/employer/profile/", employer=employer)


# --- suspension ----------------------------------------------------------------------------

def employer_suspend(*, actor, employer: Employer, reason: str, client_address: str = "") -> Employer:
    """停用: the employer's postings vanish from search at once (the posting selectors read the
    employer's status) and it can send no signing invitation. Refused for an employer already
    suspended."""
    _require_staff(actor)
    if suspender_refusal(actor, employer):  # who acts is answered before what was typed
        raise Forbidden(suspender_refusal(actor, employer))
    reason = _clean_reason(reason, required_message="请填写停用原因")
    with transaction.atomic():
        locked = _locked(employer)
        refusal = suspender_refusal(actor, locked)
        if refusal:
            raise Forbidden(refusal)
        if locked.status == EmployerStatus.SUSPENDED:
            raise DomainError("该单位已停用", code="already_suspended")
        before = locked.status
        locked.status, locked.status_reason = EmployerStatus.SUSPENDED, reason
        locked.save(update_fields=["status", "status_reason"])
        audit_record(actor=actor, action="employer.suspend", summary=f"停用用人单位：{locked.name}"[:200],
                     target=locked, school_id=locked.verifier_school_id,
                     changes={"status": [before, EmployerStatus.SUSPENDED], "reason": ["", reason]},
                     client_address=client_address)
        _notify(locked, "单位账号已停用", f"原因：{reason}")
    employer.status, employer.status_reason = locked.status, locked.status_reason
    return locked


def _status_before_suspension(employer: Employer) -> str:
    from apps.audit.models import AuditEntry

    entry = (AuditEntry.objects.filter(action="employer.suspend", target_type="Employer", target_id=str(employer.pk))
             .order_by("-occurred_at", "-id").only("changes").first())
    before = ((entry.changes or {}).get("status") or [None])[0] if entry is not None else None
    if before in EmployerStatus.values and before != EmployerStatus.SUSPENDED:
        return before
    return EmployerStatus.VERIFIED if employer.reviewed_at else EmployerStatus.PENDING


def employer_reinstate(*, actor, employer: Employer, client_address: str = "") -> Employer:
    """恢复: back to the state the employer had before it was suspended."""
    _require_staff(actor)
    with transaction.atomic():
        locked = _locked(employer)
        refusal = suspender_refusal(actor, locked)
        if refusal:
            raise Forbidden(refusal)
        if locked.status != EmployerStatus.SUSPENDED:
            raise DomainError("该单位未被停用，无需恢复", code="not_suspended")
        after = _status_before_suspension(locked)
        locked.status, locked.status_reason = after, ""
        locked.save(update_fields=["status", "status_reason"])
        audit_record(actor=actor, action="employer.reinstate", summary=f"恢复用人单位：{locked.name}"[:200],
                     target=locked, school_id=locked.verifier_school_id,
                     changes={"status": [EmployerStatus.SUSPENDED, after]}, client_address=client_address)
        _notify(locked, "单位账号已恢复", f"当前状态：{EmployerStatus(after).label}")
    employer.status, employer.status_reason = locked.status, locked.status_reason
    return locked


# --- review --------------------------------------------------------------------------------

def employer_review(*, actor, employer: Employer, approve: bool, reason: str = "", client_address: str = "") -> Employer:
    """认证审核: 待审核 → 已认证, or → 已驳回 with a reason the employer reads."""
    _require_staff(actor)
    if reviewer_refusal(actor, employer):  # who acts is answered before what was typed
        raise Forbidden(reviewer_refusal(actor, employer))
    if not approve:
        reason = _clean_reason(reason, required_message="请填写驳回原因")
    else:
        reason = ""
    with transaction.atomic():
        locked = _locked(employer)
        refusal = reviewer_refusal(actor, locked)
        if refusal:
            raise Forbidden(refusal)
        if locked.status != EmployerStatus.PENDING:
            raise DomainError(f"该单位当前状态为“{locked.get_status_display()}”，不能审核", code="not_pending")
        after = EmployerStatus.VERIFIED if approve else EmployerStatus.REJECTED
        locked.status, locked.status_reason = after, reason
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        locked.save(update_fields=["status", "status_reason", "reviewed_by", "reviewed_at"])
        audit_record(actor=actor, action="employer.review",
                     summary=f"{'通过' if approve else '驳回'}用人单位认证：{locked.name}"[:200],
                     target=locked, school_id=locked.verifier_school_id,
                     changes={"status": [EmployerStatus.PENDING, after], **({"reason": ["", reason]} if reason else {})},
                     client_address=client_address)
        if approve:
            _notify(locked, "单位认证已通过", "现在可以发布职位")
        else:
            _notify(locked, "单位认证未通过", f"原因：{reason}。请修改单位信息后重新提交")
    employer.status, employer.status_reason = locked.status, locked.status_reason
    return locked


# --- registration --------------------------------------------------------------------------

_LABELS = {"username": "登录名", "password": "密码", "credit_code": "统一社会信用代码", "name": "单位名称",
           "nature_code": "单位性质", "industry_code": "行业", "division": "所在地", "address": "单位地址",
           "size": "单位规模", "contact_name": "联系人", "contact_mobile": "联系人手机", "verifier": "认证单位",
           "licence": "营业执照", "introduction": "单位简介", "password_again": "确认密码"}
_TEXT_LIMITS = {"name": 200, "address": 200, "contact_name": 50, "introduction": MAX_INTRODUCTION}
_REQUIRED_UNIT = ("name", "nature_code", "industry_code", "division", "address", "size", "contact_name",
                  "contact_mobile", "verifier")


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors))
        label = _LABELS.get(first, "")
        message = f"{label}：{errors[first]}" if label and not errors[first].startswith(label) else errors[first]
        raise DomainError(message, code="invalid", fields=errors)


def _text(data, name) -> str:
    value = data.get(name)
    return (str(value) if value is not None else "").strip()


def verifier_choices(province: Province | None = None) -> list[tuple[str, str]]:
    """The verifiers an employer may ask: each province (省级认证) and its active schools."""
    provinces = [province] if province is not None else list(Province.objects.all())
    choices = []
    for p in provinces:
        choices.append((f"province:{p.pk}", f"省级认证（{p.name}，全省有效）"))
        for school in School.objects.filter(province=p, is_active=True).only("pk", "name").order_by("code"):
            choices.append((f"school:{school.pk}", f"{school.name}（仅该校渠道有效）"))
    return choices


def _clean_verifier(value: str) -> tuple[Province, School | None] | None:
    kind, _, pk = normalise(value).partition(":")
    if not pk.isdigit():
        return None
    if kind == "province":
        province = Province.objects.filter(pk=int(pk)).first()
        return (province, None) if province is not None else None
    if kind == "school":
        school = School.objects.select_related("province").filter(pk=int(pk), is_active=True).first()
        return (school.province, school) if school is not None else None
    return None


def _clean_unit(data: dict[str, Any], errors: dict[str, str], *, only: tuple[str, ...] | None = None,
                partial: bool = False) -> dict[str, Any]:
    """The unit's columns from `data` (only the fields named in `only`; with `partial`, only
    the keys present). Errors go into `errors`."""
    from apps.reference.selectors import code_labels, county_division

    fields = only or (*_REQUIRED_UNIT, "introduction")
    out: dict[str, Any] = {}
    for name in fields:
        if partial and name not in data:
            continue
        value = _text(data, name)
        if name in _REQUIRED_UNIT and not value:
            errors[name] = f"请填写{_LABELS[name]}" if name not in ("nature_code", "industry_code", "division",
                                                                   "size", "verifier") else f"请选择{_LABELS[name]}"
            continue
        if name in _TEXT_LIMITS and len(value) > _TEXT_LIMITS[name]:
            errors[name] = f"不超过{_TEXT_LIMITS[name]}个字"
            continue
        if name == "nature_code" and value not in code_labels("unit_nature"):
            errors[name] = "不是有效的单位性质"
        elif name == "industry_code" and value not in code_labels("industry"):
            errors[name] = "不是有效的行业"
        elif name == "division":
            division = county_division(value)
            if division is None:
                errors[name] = "所在地须选择到具体的区县"
            value = division
        elif name == "size" and value not in EmployerSize.values:
            errors[name] = "请选择单位规模"
        elif name == "contact_mobile":
            value = normalise(value)
            if not MOBILE.match(value):
                errors[name] = "请输入正确的11位手机号码"
        elif name == "verifier":
            verifier = _clean_verifier(value)
            if verifier is None:
                errors[name] = "请选择省级认证或一所院校"
            value = verifier
        out[name] = value
    return out


def _clean_login(data: dict[str, Any], errors: dict[str, str]) -> tuple[str, str]:
    username, password = normalise(data.get("username")), str(data.get("password") or "")
    if not username:
        errors["username"] = "请填写登录名"
    elif not USERNAME_CHARS.match(username):
        errors["username"] = "登录名为4到30位字母、数字或 _ . @ + -"
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = "该登录名已被使用，请换一个"
    if not password:
        errors["password"] = "请填写密码"
    else:
        try:
            validate_password(password, User(username=username))
        except ValidationError as exc:
            errors["password"] = "；".join(exc.messages)
    if "password_again" in data and str(data.get("password_again") or "") != password and "password" not in errors:
        errors["password_again"] = "两次输入的密码不一致"
    return username, password


def _clean_licence(licence, errors: dict[str, str], *, required: bool) -> ProcessedImage | None:
    if not licence:
        if required:
            errors["licence"] = "请上传营业执照图片"
        return None
    if isinstance(licence, ProcessedImage):
        return licence
    try:
        return process_image(licence)
    except DomainError as exc:
        errors["licence"] = exc.message
        return None


def employer_has_account(employer: Employer) -> bool:
    """A unit row made by the signing card flow has no account; every other one has."""
    return employer.status != EmployerStatus.UNREGISTERED or User.objects.filter(employer=employer).exists()


def employer_register(*, data: dict[str, Any], licence=None, client_address: str = "") -> User:
    """单位注册. A new credit code (or one only the signing card flow knew) becomes a unit
    waiting for verification with this person as its main account; a code that already has
    an account makes this person a sub-account, inactive until the main account approves.
    Returns the new User (inactive for a sub-account). Nothing is stored on any error."""
    throttle.take(REGISTER_SCOPE, client_address or "-", limit=REGISTER_LIMIT, window_seconds=REGISTER_WINDOW_SECONDS,
                  message="注册次数过多，请{minutes}分钟后再试")
    errors: dict[str, str] = {}
    username, password = _clean_login(data, errors)
    code, flagged = "", False
    try:
        code, flagged = clean_credit_code(_text(data, "credit_code"))
    except DomainError as exc:
        errors["credit_code"] = exc.message if _text(data, "credit_code") else "请填写统一社会信用代码"
    existing = Employer.objects.filter(credit_code=code).first() if code else None
    joining = existing is not None and employer_has_account(existing)
    if joining:
        unit = _clean_unit(data, errors, only=("contact_name", "contact_mobile"))
        processed = None
    else:
        unit = _clean_unit(data, errors)
        processed = _clean_licence(licence, errors, required=True)
    _raise(errors)
    if joining:
        return _register_member(existing, username, password, unit, client_address)
    return _register_main(code, flagged, username, password, unit, processed, client_address)


def _new_user(username: str, password: str, employer: Employer, display_name: str, *, active: bool) -> User:
    user = User(username=username, role=Role.EMPLOYER, employer=employer, display_name=display_name[:50],
                is_active=active)
    user.set_password(password)
    user.save()
    return user


def _register_member(employer: Employer, username, password, unit, client_address) -> User:
    try:
        with transaction.atomic():
            user = _new_user(username, password, employer, unit["contact_name"], active=False)
            EmployerMember.objects.create(user=user, employer=employer, is_main=False, status=MemberStatus.PENDING)
            audit_record(actor=None, actor_kind="employer", actor_label=f"{employer.name}（子账号申请）"[:100],
                         action="employer.member_register", summary=f"{employer.name}的子账号申请：{username}"[:200],
                         target=user, school_id=employer.verifier_school_id,
                         changes={"contact_mobile": ["", mask_phone(unit["contact_mobile"])]},
                         client_address=client_address)
            _notify(employer, "新的子账号申请", f"{unit['contact_name']}申请加入本单位（登录名 {username}），请在“单位成员”中审核")
    except IntegrityError:
        raise DomainError("该登录名已被使用，请换一个", code="duplicate", fields={"username": "该登录名已被使用"}) from None
    return user


def _register_main(code, flagged, username, password, unit, processed, client_address) -> User:
    stored = ""
    province, school = unit.pop("verifier")
    try:
        with transaction.atomic():
            employer = Employer.objects.select_for_update().filter(credit_code=code).first()
            if employer is not None and employer_has_account(employer):
                raise DomainError("该统一社会信用代码刚刚有人注册，请重新提交以子账号身份加入", code="duplicate_code",
                                  fields={"credit_code": "该单位已有账号"})
            employer = employer or Employer(credit_code=code)
            for name, value in unit.items():
                setattr(employer, name, value)
            employer.credit_code_flagged = flagged
            employer.status, employer.status_reason = EmployerStatus.PENDING, ""
            employer.verifier_province, employer.verifier_school = province, school
            employer.registered_at = timezone.now()
            content = image_content_file(processed)
            employer.licence.save(content.name, content, save=False)
            stored = employer.licence.name
            employer.licence_width, employer.licence_height = processed.width, processed.height
            employer.licence_size = processed.size
            employer.save()
            user = _new_user(username, password, employer, unit["contact_name"], active=True)
            EmployerMember.objects.create(user=user, employer=employer, is_main=True, status=MemberStatus.APPROVED,
                                          decided_at=timezone.now())
            audit_record(actor=user, action="employer.register", summary=f"用人单位注册：{employer.name}"[:200],
                         target=employer, school_id=employer.verifier_school_id,
                         changes={"credit_code": ["", code], "name": ["", employer.name],
                                  "contact_mobile": ["", mask_phone(employer.contact_mobile)],
                                  "verifier": ["", school.name if school else f"{province.name}（省级）"]},
                         client_address=client_address)
    except IntegrityError:
        _delete_file(stored)
        raise DomainError("该登录名或统一社会信用代码刚刚被注册，请核对后重新提交", code="duplicate") from None
    except BaseException:
        _delete_file(stored)
        raise
    return user


def _delete_file(name: str) -> None:
    delete_stored_files([name])


# --- sub-accounts --------------------------------------------------------------------------

def is_main_account(user) -> bool:
    """The main account decides on sub-accounts and edits the unit's data. An account an
    operator made before registration existed (no member row) counts as main while the unit
    has no registered main account."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != Role.EMPLOYER \
            or not user.employer_id or not user.is_active:
        return False
    member = EmployerMember.objects.filter(user=user).only("is_main", "status").first()
    if member is not None:
        return member.is_main
    return not EmployerMember.objects.filter(employer_id=user.employer_id, is_main=True).exists()


def _require_main(actor) -> None:
    if not is_main_account(actor):
        raise Forbidden("只有本单位主账号可以执行此操作")


def employer_member_decide(*, actor, member: EmployerMember, approve: bool, client_address: str = "") -> EmployerMember:
    """The main account approves (the account can log in) or refuses a sub-account."""
    _require_main(actor)
    if member.employer_id != actor.employer_id:
        raise NotFound()
    with transaction.atomic():
        locked = EmployerMember.objects.select_for_update().select_related("user").get(pk=member.pk)
        if locked.status != MemberStatus.PENDING:
            raise DomainError(f"该子账号已{locked.get_status_display()}，不能重复处理", code="decided")
        locked.status = MemberStatus.APPROVED if approve else MemberStatus.REJECTED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        if approve:
            User.objects.filter(pk=locked.user_id).update(is_active=True)
        audit_record(actor=actor, action="employer.member_decide",
                     summary=f"{'通过' if approve else '拒绝'}子账号申请：{locked.user.username}"[:200],
                     target=locked, school_id=None,
                     changes={"status": [MemberStatus.PENDING, locked.status]}, client_address=client_address)
    member.status, member.decided_at = locked.status, locked.decided_at
    return locked


# --- profile -------------------------------------------------------------------------------

MSG_LOCKED = "已认证单位只能修改联系人、联系人手机、地址、规模和简介；其他信息如需变更请联系审核单位"


def employer_profile_update(*, actor, data: dict[str, Any], licence=None, client_address: str = "") -> Employer:
    """单位信息. While 待审核 or 已驳回 everything may change (a rejected unit's save resubmits it:
    → 待审核); a verified unit changes only contact, address, size and introduction."""
    _require_main(actor)
    with transaction.atomic():
        employer = Employer.objects.select_for_update().get(pk=actor.employer_id)
        if employer.status == EmployerStatus.SUSPENDED:
            raise DomainError("单位账号已停用，不能修改单位信息", code="suspended")
        verified = employer.status == EmployerStatus.VERIFIED
        errors: dict[str, str] = {}
        if verified:
            unit = _clean_unit(data, errors, only=VERIFIED_EDITABLE, partial=True)
            locked_changes = [name for name in ("name", "nature_code", "industry_code", "division", "verifier")
                              if name in data and _text(data, name) != _current_text(employer, name)]
            if locked_changes or licence:
                raise DomainError(MSG_LOCKED, code="verified_locked",
                                  fields={name: "已认证，不能修改" for name in locked_changes or ["licence"]})
            processed = None
        else:
            unit = _clean_unit(data, errors, partial=True)
            processed = _clean_licence(licence, errors, required=False)
        _raise(errors)
        changes: dict[str, list] = {}
        verifier = unit.pop("verifier", None)
        for name, value in unit.items():
            before = getattr(employer, name)
            if before != value:
                shown = (mask_phone(before), mask_phone(value)) if name == "contact_mobile" else (
                    str(getattr(before, "pk", before) or ""), str(getattr(value, "pk", value) or ""))
                changes[name] = list(shown)
                setattr(employer, name, value)
        if verifier is not None:
            province, school = verifier
            if (employer.verifier_province_id, employer.verifier_school_id) != (province.pk, getattr(school, "pk", None)):
                changes["verifier"] = [str(employer.verifier_school or employer.verifier_province or ""),
                                       school.name if school else f"{province.name}（省级）"]
                employer.verifier_province, employer.verifier_school = province, school
        stored = ""
        if processed is not None:
            old_name = employer.licence.name
            content = image_content_file(processed)
            employer.licence.save(content.name, content, save=False)
            stored = employer.licence.name
            employer.licence_width, employer.licence_height = processed.width, processed.height
            employer.licence_size = processed.size
            changes["licence"] = ["", "重新上传"]
            transaction.on_commit(lambda: _delete_file(old_name))
        resubmit = employer.status == EmployerStatus.REJECTED
        if resubmit:
            changes["status"] = [employer.status, EmployerStatus.PENDING]
            employer.status, employer.status_reason = EmployerStatus.PENDING, ""
            employer.registered_at = timezone.now()
        if not changes:
            return employer
        try:
            employer.save()
            audit_record(actor=actor, action="employer.update" if not resubmit else "employer.resubmit",
                         summary=(f"{'重新提交认证' if resubmit else '修改单位信息'}：{employer.name}")[:200],
                         target=employer, school_id=employer.verifier_school_id, changes=changes,
                         client_address=client_address)
        except BaseException:
            _delete_file(stored)
            raise
    return employer


def _current_text(employer: Employer, name: str) -> str:
    if name == "division":
        return employer.division_id or ""
    if name == "verifier":
        return f"school:{employer.verifier_school_id}" if employer.verifier_school_id else \
            f"province:{employer.verifier_province_id}"
    return str(getattr(employer, name) or "")
