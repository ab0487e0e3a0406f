"""Sign-in for graduates (school + name + student number + ID number) and staff,
the graduate's signing PIN, and API tokens."""

from __future__ import annotations

import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.db.models import F, Q
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
PIN_HASH_SCHEME = "hmac-sha256"
API_TOKEN_DAYS = 30


@dataclass(frozen=True)
class LoginAttempt:
    school_id: int | None
    name: str
    student_number: str
    id_number: str
    client_address: str


def _throttle_take(limits: list[tuple[str, str, int]]) -> None:
    """Count this try against every limit FIRST (atomically), then decide: a try beyond a
    limit is refused without evaluating it, so parallel tries cannot get more than the limit
    checked. The wait shown is the counter's own remaining window."""
    taken: list[tuple[str, str]] = []
    for scope, subject, limit in limits:
        window = throttle.hit(scope, subject, settings.LOGIN_THROTTLE_WINDOW_SECONDS)
        taken.append((scope, subject))
        if window.count > limit:
            for counted in taken:  # refused unevaluated: the counters keep meaning "tries checked"
                throttle.undo(*counted)
            raise Throttled(THROTTLED.format(minutes=window.minutes))


def _throttle_release(limits: list[tuple[str, str, int]]) -> None:
    """A try that was not a failure gives its slots back."""
    for scope, subject, _limit in limits:
        throttle.undo(scope, subject)


def graduate_login(attempt: LoginAttempt) -> User:
    """Find exactly one roster record of the school's newest cohort for the triple.

    Throttled per account (school + student number) and per client address. One message
    for "no such person" and "wrong ID number" so the answer leaks nothing."""
    name = normalise_name(attempt.name)
    student_number = normalise(attempt.student_number)
    id_number = normalise_id_number(attempt.id_number)
    if not (attempt.school_id and name and student_number and id_number):
        raise DomainError("请选择院校并填写姓名、学号和身份证号", code="missing_fields")
    school = School.objects.filter(pk=attempt.school_id, is_active=True).first()
    if school is None:
        raise DomainError("请从列表中选择院校", code="school_required")
    limits = [
        ("grad-account", f"{attempt.school_id}:{student_number}", settings.LOGIN_THROTTLE_PER_ACCOUNT),
        ("grad-address", attempt.client_address, settings.LOGIN_THROTTLE_PER_ADDRESS),
    ]
    _throttle_take(limits)

    matches = list(
        Graduate.objects.filter(
            school=school,
            id_number_hash=keyed_hash(id_number),
            student_number=student_number,
            name=name,
        ).order_by("-cohort")
    )
    if not matches:
        raise DomainError(NO_MATCH, code="no_match")  # the try stays counted
    newest_cohort = matches[0].cohort
    # The same person may have a later record (e.g. a master's after a bachelor's here);
    # the old one must never open.
    later = Graduate.objects.filter(
        school=school, id_number_hash=keyed_hash(id_number), cohort__gt=newest_cohort
    ).exists()
    current = [g for g in matches if g.cohort == newest_cohort]
    if later or len(current) > 1:
        _throttle_release(limits)  # the triple matched: not a guess, give the slots back
        if later:
            raise DomainError("该学号属于往届记录，请使用本届学籍的学号登录", code="older_record")
        raise DomainError(DUPLICATE, code="duplicate")
    throttle.reset("grad-account", limits[0][1])
    throttle.undo("grad-address", attempt.client_address)
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
    """Username + password with lockout after repeated failures (per account and address).

    The account's try is counted before the password is checked (one conditional UPDATE,
    refused when locked), and the try that reaches the limit locks the account before its
    own check: parallel wrong passwords find it locked instead of all being evaluated."""
    username = normalise(username)
    address_limit = [("staff-address", client_address, settings.LOGIN_THROTTLE_PER_ADDRESS)]
    _throttle_take(address_limit)
    user = User.objects.filter(username=username).exclude(role=Role.GRADUATE).first()
    # an employer's sub-account waiting for (or refused by) its main account is told so, but
    # only after its password was checked like any other try
    waiting_member = user is not None and not user.is_active and user.role == Role.EMPLOYER
    if user is None or not (user.is_active or waiting_member) or not user.has_usable_password():
        raise DomainError("用户名或密码错误", code="bad_credentials")
    now = timezone.now()
    locked_until = _staff_count_try(user, now)
    if locked_until is not None:
        throttle.undo(*address_limit[0][:2])  # refused unchecked
        minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
        raise Throttled(f"账号已锁定，请{minutes}分钟后再试或联系管理员")
    if not user.check_password(password):
        raise DomainError("用户名或密码错误", code="bad_credentials")
    if waiting_member:
        from apps.employers.rules import member_login_refusal

        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        throttle.undo(*address_limit[0][:2])
        raise DomainError(member_login_refusal(user), code="account_inactive")
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now)
    throttle.undo(*address_limit[0][:2])
    user.failed_logins, user.locked_until, user.last_login = 0, None, now
    return user


def _staff_count_try(user: User, now) -> datetime | None:
    """Count one password try for the account; the lock's end when it is locked (refuse)."""
    open_account = User.objects.filter(pk=user.pk).filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
    with transaction.atomic():
        if not open_account.update(failed_logins=F("failed_logins") + 1):
            return User.objects.values_list("locked_until", flat=True).get(pk=user.pk)
        # our UPDATE holds the row lock: the count read back is this try's number
        tries = User.objects.values_list("failed_logins", flat=True).get(pk=user.pk)
        if tries >= settings.STAFF_LOCKOUT_FAILURES:
            # the last try allowed: lock now, before its check; a right password lifts the lock
            User.objects.filter(pk=user.pk).update(
                failed_logins=0, locked_until=now + timedelta(seconds=settings.STAFF_LOCKOUT_SECONDS))
    return None


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
        graduate.signing_pin_hash = signing_pin_hash(pin)
        graduate.signing_pin_set_at = timezone.now()
        graduate.save(update_fields=["signing_pin_hash", "signing_pin_set_at", "updated_at"])
        audit_record(
            actor=actor, action="graduate.pin_set", summary="设置签约密码", target=graduate,
            school_id=graduate.school_id, college_id=graduate.college_id, graduate_id=graduate.pk,
            client_address=client_address,
        )


def signing_pin_hash(pin: str) -> str:
    """What is stored for a signing PIN: a salted keyed hash (HMAC-SHA256, key outside the
    database). A 6-digit PIN is protected by the online throttle, not by hash cost; a slow
    password hash (PBKDF2) only made every confirmation cost 0.4 s of CPU."""
    salt = secrets.token_hex(8)
    return f"{PIN_HASH_SCHEME}${salt}${keyed_hash(f'signing-pin:{salt}:{pin}')}"


def _signing_pin_matches(graduate: Graduate, pin: str) -> bool:
    stored = graduate.signing_pin_hash
    if stored.startswith(PIN_HASH_SCHEME + "$"):
        _scheme, salt, digest = stored.split("$", 2)
        return hmac.compare_digest(digest, keyed_hash(f"signing-pin:{salt}:{pin}"))
    # a PIN set before keyed hashes (a Django password hash): check it once the slow way,
    # then store the keyed hash (unless a reset or a new PIN came in between)
    if not check_password(pin, stored):
        return False
    Graduate.objects.filter(pk=graduate.pk, signing_pin_hash=stored).update(signing_pin_hash=signing_pin_hash(pin))
    return True


def graduate_check_signing_pin(*, graduate: Graduate, pin: str, client_address: str) -> None:
    """The graduate-only confirmation used by signing and termination; throttled (the try
    is counted before the PIN is compared)."""
    if not graduate.signing_pin_hash:
        raise DomainError("请先设置签约密码", code="pin_not_set")
    limits = [("pin", str(graduate.pk), settings.LOGIN_THROTTLE_PER_ACCOUNT)]
    _throttle_take(limits)
    if not _signing_pin_matches(graduate, normalise(pin)):
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
