"""Sign-in for graduates (school + name + student number + ID number) and staff,
the graduate's signing PIN, and API tokens."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import ApiToken, Role, User
from apps.audit.services import audit_record
from apps.core import throttle
from apps.core.crypto import keyed_hash, token_digest
from apps.core.errors import DomainError, Forbidden, Throttled
from apps.core.text import normalise, normalise_id_number, normalise_name
from apps.graduates.models import Graduate
from apps.organisations.models import School

NO_MATCH = "信息不匹配或没有注册"
DUPLICATE = "信息重复，请联系学校管理员"
THROTTLED = "尝试次数过多，请{minutes}分钟后再试；如忘记信息请联系辅导员核对"
PIN_PATTERN = re.compile(r"^\d{6}$")
API_TOKEN_DAYS = 30


@dataclass(frozen=True)
class LoginAttempt:
    school_id: int | None
    name: str
    student_number: str
    id_number: str
    client_address: str


def _throttle_guard(scope_subjects: list[tuple[str, str, int]]) -> None:
    for scope, subject, limit in scope_subjects:
        if throttle.failures(scope, subject) >= limit:
            minutes = max(1, settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60)
            raise Throttled(THROTTLED.format(minutes=minutes))


def _throttle_fail(scope_subjects: list[tuple[str, str, int]]) -> None:
    for scope, subject, _limit in scope_subjects:
        throttle.record_failure(scope, subject, settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def graduate_login(attempt: LoginAttempt) -> User:
    """Find exactly one roster record of the school's newest cohort for the triple.

    Throttled per account (school + student number) and per client address. One message
    for "no such person" and "wrong ID number" so the answer leaks nothing."""
    name = normalise_name(attempt.name)
    student_number = normalise(attempt.student_number)
    id_number = normalise_id_number(attempt.id_number)
    limits = [
        ("grad-account", f"{attempt.school_id}:{student_number}", settings.LOGIN_THROTTLE_PER_ACCOUNT),
        ("grad-address", attempt.client_address, settings.LOGIN_THROTTLE_PER_ADDRESS),
    ]
    _throttle_guard(limits)
    if not (attempt.school_id and name and student_number and id_number):
        raise DomainError("请选择院校并填写姓名、学号和身份证号", code="missing_fields")
    school = School.objects.filter(pk=attempt.school_id, is_active=True).first()
    if school is None:
        raise DomainError("请从列表中选择院校", code="school_required")

    matches = list(
        Graduate.objects.filter(
            school=school,
            id_number_hash=keyed_hash(id_number),
            student_number=student_number,
            name=name,
        ).order_by("-cohort")
    )
    if not matches:
        _throttle_fail(limits)
        raise DomainError(NO_MATCH, code="no_match")
    newest_cohort = matches[0].cohort
    # The same person may have a later record (e.g. a master's after a bachelor's here);
    # the old one must never open.
    later = Graduate.objects.filter(
        school=school, id_number_hash=keyed_hash(id_number), cohort__gt=newest_cohort
    ).exists()
    if later:
        raise DomainError("该学号属于往届记录，请使用本届学籍的学号登录", code="older_record")
    current = [g for g in matches if g.cohort == newest_cohort]
    if len(current) > 1:
        raise DomainError(DUPLICATE, code="duplicate")
    throttle.reset("grad-account", limits[0][1])
    return _user_for_graduate(current[0])


def _user_for_graduate(graduate: Graduate) -> User:
    with transaction.atomic():
        user = User.objects.filter(graduate=graduate).first()
        if user is None:
            user = User(
                username=f"graduate-{graduate.pk}",
                role=Role.GRADUATE,
                display_name=graduate.name,
                graduate=graduate,
                school_id=graduate.school_id,
            )
            user.set_unusable_password()
            user.save()
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    return user


def staff_authenticate(*, username: str, password: str, client_address: str) -> User:
    """Username + password with lockout after repeated failures (per account and address)."""
    username = normalise(username)
    address_limit = [("staff-address", client_address, settings.LOGIN_THROTTLE_PER_ADDRESS)]
    _throttle_guard(address_limit)
    user = User.objects.filter(username=username).exclude(role=Role.GRADUATE).first()
    now = timezone.now()
    if user is not None and user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise Throttled(f"账号已锁定，请{minutes}分钟后再试或联系管理员")
    if user is None or not user.is_active or not user.has_usable_password() or not user.check_password(password):
        _throttle_fail(address_limit)
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= settings.STAFF_LOCKOUT_FAILURES:
                user.locked_until = now + timedelta(seconds=settings.STAFF_LOCKOUT_SECONDS)
                user.failed_logins = 0
            user.save(update_fields=["failed_logins", "locked_until"])
        raise DomainError("用户名或密码错误", code="bad_credentials")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login = now
    user.save(update_fields=["failed_logins", "locked_until", "last_login"])
    return user


def graduate_set_signing_pin(*, actor: User, pin: str, pin_again: str, client_address: str = "") -> None:
    """First-login PIN (签约密码). Once set, only school staff can reset it."""
    if actor.role != Role.GRADUATE:
        raise Forbidden()
    pin, pin_again = normalise(pin), normalise(pin_again)
    if not PIN_PATTERN.match(pin):
        raise DomainError("签约密码须为6位数字", fields={"pin": "须为6位数字"})
    if pin != pin_again:
        raise DomainError("两次输入的签约密码不一致", fields={"pin_again": "不一致"})
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise DomainError("签约密码过于简单，请勿使用重复或连续数字", fields={"pin": "过于简单"})
    with transaction.atomic():
        graduate = Graduate.objects.select_for_update().get(pk=actor.graduate_id)
        if graduate.signing_pin_hash:
            raise DomainError("签约密码已设置；如忘记请联系学校管理员重置", code="pin_already_set")
        graduate.signing_pin_hash = make_password(pin)
        graduate.signing_pin_set_at = timezone.now()
        graduate.save(update_fields=["signing_pin_hash", "signing_pin_set_at", "updated_at"])
        audit_record(
            actor=actor, action="graduate.pin_set", summary="设置签约密码", target=graduate,
            school_id=graduate.school_id, college_id=graduate.college_id, graduate_id=graduate.pk,
            client_address=client_address,
        )


def graduate_check_signing_pin(*, graduate: Graduate, pin: str, client_address: str) -> None:
    """The graduate-only confirmation used by signing and termination; throttled."""
    limits = [("pin", str(graduate.pk), settings.LOGIN_THROTTLE_PER_ACCOUNT)]
    _throttle_guard(limits)
    if not graduate.signing_pin_hash:
        raise DomainError("请先设置签约密码", code="pin_not_set")
    if not check_password(normalise(pin), graduate.signing_pin_hash):
        _throttle_fail(limits)
        raise DomainError("签约密码错误", code="wrong_pin", fields={"pin": "签约密码错误"})
    throttle.reset("pin", str(graduate.pk))


def staff_reset_signing_pin(*, actor: User, graduate: Graduate, client_address: str = "") -> None:
    """School staff clear a forgotten PIN; the graduate sets a new one at next login."""
    if actor.role != Role.SCHOOL_STAFF or actor.school_id != graduate.school_id:
        raise Forbidden()
    with transaction.atomic():
        Graduate.objects.filter(pk=graduate.pk).update(signing_pin_hash="", signing_pin_set_at=None)
        throttle.reset("pin", str(graduate.pk))
        audit_record(
            actor=actor, action="graduate.pin_reset", summary=f"重置{graduate.name}的签约密码", target=graduate,
            school_id=graduate.school_id, college_id=graduate.college_id, graduate_id=graduate.pk,
            client_address=client_address,
        )


def api_token_issue(user: User) -> str:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        token_hash=token_digest(token),
        expires_at=timezone.now() + timedelta(days=API_TOKEN_DAYS),
    )
    return token


def api_token_user(token: str) -> User | None:
    row = ApiToken.objects.select_related("user").filter(token_hash=token_digest(token)).first()
    if row is None or row.expires_at <= timezone.now() or not row.user.is_active:
        return None
    return row.user


def api_token_revoke(token: str) -> None:
    ApiToken.objects.filter(token_hash=token_digest(token)).delete()


def api_tokens_revoke_all(user: User) -> None:
    ApiToken.objects.filter(user=user).delete()
