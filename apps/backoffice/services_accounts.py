"""管理员账号 (issue 14, part 4): school staff create, disable, re-enable and reset the password of
their colleges' staff accounts; province staff do the same for the school staff accounts of
their province; every staff member changes their own password.

Every change is one transaction with one audit entry; a password (initial, temporary or new)
is returned to the caller once and never written to the audit trail or a log. Disabling or
resetting an account ends its access at its next request: the auth backend refuses an inactive
user and a session whose password hash changed, and every API token of the account is deleted
here (bearer calls get 401 at once)."""

from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.models import ApiToken, Role, StaffAccount, User
from apps.accounts.permissions import ACCOUNT_MANAGERS, STAFF, require_role
from apps.accounts.scoping import get_visible
from apps.audit.services import audit_record
from apps.backoffice.accounts_selectors import staff_accounts_visible
from apps.core import throttle
from apps.core.errors import DomainError
from apps.core.text import normalise
from apps.organisations.models import College, School

MAX_USERNAME = 150
MAX_DISPLAY_NAME = 50
MAX_REASON = 200
TEMPORARY_PASSWORD_LENGTH = 12
# letters and digits that cannot be misread when a password is read out or copied by hand
_PASSWORD_LETTERS = "".join(c for c in string.ascii_letters if c not in "IlOo")
_PASSWORD_DIGITS = "23456789"
# the own-password form is guarded like a login: a stolen session must not try current passwords
PASSWORD_CHANGE_TRIES = 5
# Django's validators on top of the project's (settings: minimum length): a staff password
# opens every graduate's record of a school, so common, all-digit and name-like ones are refused
_STAFF_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


def _account_for_update(actor, user_id) -> StaffAccount:
    """The account row, locked; one outside the actor's scope reads as missing (404)."""
    require_role(actor, ACCOUNT_MANAGERS)
    return get_visible(staff_accounts_visible(actor).select_for_update(), actor, pk=user_id)


def _validators() -> list:
    return password_validation.get_password_validators(list(settings.AUTH_PASSWORD_VALIDATORS) + _STAFF_VALIDATORS)


def password_min_length() -> int:
    """The shortest password the validators accept (what the password form tells people)."""
    for validator in _validators():
        if isinstance(validator, password_validation.MinimumLengthValidator):
            return validator.min_length
    return 0


def _chinese_password_problem(error: ValidationError) -> str:
    code = getattr(error, "code", "")
    params = getattr(error, "params", None) or {}
    if code == "password_too_short":
        return f"密码太短，至少需要{params.get('min_length', 8)}个字符"
    if code == "password_too_common":
        return "密码过于常见，容易被猜中"
    if code == "password_entirely_numeric":
        return "密码不能全是数字"
    if code == "password_too_similar":
        return "密码与用户名或姓名太相似"
    return "密码强度不够"


def password_refusal(password: str, user: User | None = None) -> str:
    """'' when the password passes the validators, else the Chinese reasons (joined)."""
    try:
        password_validation.validate_password(password, user, password_validators=_validators())
    except ValidationError as exc:
        reasons = []
        for problem in exc.error_list:
            text = _chinese_password_problem(problem)
            if text not in reasons:
                reasons.append(text)
        return "；".join(reasons)
    return ""


def temporary_password(user: User | None = None) -> str:
    """A random password that passes the validators: letters and digits, both present."""
    while True:
        chars = [secrets.choice(_PASSWORD_LETTERS + _PASSWORD_DIGITS) for _ in range(TEMPORARY_PASSWORD_LENGTH)]
        chars[secrets.randbelow(TEMPORARY_PASSWORD_LENGTH)] = secrets.choice(_PASSWORD_DIGITS)
        password = "".join(chars)
        if any(c in _PASSWORD_LETTERS for c in password) and not password_refusal(password, user):
            return password


def _end_access(user: User) -> None:
    """Forced logout: every API token goes now; the sessions stop at their next request
    (inactive user, or a changed password hash). Sessions cannot be found by user without
    reading every row of the session table, so none is deleted here."""
    ApiToken.objects.filter(user_id=user.pk).delete()


def _organisation_changes(account: User) -> dict:
    changes = {"role": ["", account.get_role_display()], "school": ["", account.school.name]}
    if account.college_id:
        changes["college"] = ["", account.college.name]
    return changes


def staff_account_create(*, actor, username: str, display_name: str, college_id: int | None = None,
                         school_id: int | None = None, client_address: str = "") -> tuple[User, str]:
    """A new staff account under the actor: school staff give `college_id` (a college of their
    school) and get a 院系管理员; province staff give `school_id` (a school of their province)
    and get a 学校管理员. Returns (account, initial password): the password is shown once to
    the creator and must be changed at the first login."""
    require_role(actor, ACCOUNT_MANAGERS)
    username = normalise(username)
    display_name = normalise(display_name)
    fields = {}
    if not username:
        fields["username"] = "请填写用户名"
    elif len(username) > MAX_USERNAME:
        fields["username"] = f"用户名不超过{MAX_USERNAME}个字符"
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            fields["username"] = "用户名只能包含字母、数字和 @ . + - _"
    if not display_name:
        fields["display_name"] = "请填写姓名"
    elif len(display_name) > MAX_DISPLAY_NAME:
        fields["display_name"] = f"姓名不超过{MAX_DISPLAY_NAME}个字"
    if actor.role == Role.SCHOOL_STAFF:
        college = College.objects.filter(pk=college_id).select_related("school").first() if college_id else None
        if college is None:
            fields["college_id"] = "请选择院系"
        elif college.school_id != actor.school_id:
            fields["college_id"] = "所选院系不属于本校"
        organisation = {"role": Role.COLLEGE_STAFF, "school_id": actor.school_id, "college_id": college_id}
    else:
        school = School.objects.filter(pk=school_id).first() if school_id else None
        if school is None:
            fields["school_id"] = "请选择学校"
        elif school.province_id != actor.province_id:
            fields["school_id"] = "所选学校不属于本省"
        organisation = {"role": Role.SCHOOL_STAFF, "school_id": school_id, "province_id": actor.province_id}
    if fields:
        raise DomainError(next(iter(fields.values())), fields=fields)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("该用户名已被使用，请换一个", code="username_taken", fields={"username": "已被使用"})
    account = User(username=username, display_name=display_name, must_change_password=True, **organisation)
    password = temporary_password(account)
    account.set_password(password)
    try:
        with transaction.atomic():
            account.save()
            audit_record(
                actor=actor, action="staff_account.create",
                summary=f"创建{account.get_role_display()}账号 {username}（{display_name}）",
                target=account, school_id=account.school_id, changes=_organisation_changes(account),
                client_address=client_address,
            )
    except IntegrityError:  # a parallel create took the name between the check and the save
        raise DomainError("该用户名已被使用，请换一个", code="username_taken", fields={"username": "已被使用"}) from None
    return account, password


def staff_account_disable(*, actor, user_id: int, reason: str, client_address: str = "") -> User:
    """停用: the account can no longer sign in; its sessions end at their next request and its
    API tokens are deleted now."""
    require_role(actor, ACCOUNT_MANAGERS)
    if str(user_id) == str(actor.pk):
        raise DomainError("不能停用自己的账号", code="self")
    reason = normalise(reason)
    with transaction.atomic():
        account = _account_for_update(actor, user_id)  # out of scope: 404 before anything is judged
        if not reason:
            raise DomainError("请填写停用原因", fields={"reason": "请填写停用原因"})
        if len(reason) > MAX_REASON:
            raise DomainError(f"停用原因不超过{MAX_REASON}字", fields={"reason": "内容过长"})
        if not account.is_active:
            raise DomainError("该账号已停用", code="already_disabled")
        account.is_active = False
        account.save(update_fields=["is_active"])
        _end_access(account)
        audit_record(
            actor=actor, action="staff_account.disable", summary=f"停用账号 {account.username}",
            target=account, school_id=account.school_id,
            changes={"status": ["启用", "停用"], "reason": ["", reason]}, client_address=client_address,
        )
    return account


def staff_account_enable(*, actor, user_id: int, client_address: str = "") -> User:
    """重新启用 a disabled account (with its old password; reset it too if that leaked)."""
    require_role(actor, ACCOUNT_MANAGERS)
    with transaction.atomic():
        account = _account_for_update(actor, user_id)
        if account.is_active:
            raise DomainError("该账号已是启用状态", code="already_enabled")
        account.is_active = True
        account.failed_logins, account.locked_until = 0, None
        account.save(update_fields=["is_active", "failed_logins", "locked_until"])
        audit_record(
            actor=actor, action="staff_account.enable", summary=f"重新启用账号 {account.username}",
            target=account, school_id=account.school_id, changes={"status": ["停用", "启用"]},
            client_address=client_address,
        )
    return account


def staff_account_reset_password(*, actor, user_id: int, client_address: str = "") -> tuple[User, str]:
    """重置密码: a new temporary password (returned once) that must be changed at the next login;
    the account's sessions end (the password hash changed) and its API tokens are deleted.
    A lockout is lifted with it."""
    require_role(actor, ACCOUNT_MANAGERS)
    if str(user_id) == str(actor.pk):
        raise DomainError("不能重置自己的密码，请使用修改密码", code="self")
    with transaction.atomic():
        account = _account_for_update(actor, user_id)
        password = temporary_password(account)
        account.set_password(password)
        account.must_change_password = True
        account.failed_logins, account.locked_until = 0, None
        account.save(update_fields=["password", "must_change_password", "failed_logins", "locked_until"])
        _end_access(account)
        audit_record(
            actor=actor, action="staff_account.reset_password", summary=f"重置账号 {account.username} 的密码",
            target=account, school_id=account.school_id, changes={"must_change_password": [False, True]},
            client_address=client_address,
        )
    return account, password


def staff_password_change(*, actor, current_password: str, new_password: str, new_password_again: str,
                          client_address: str = "") -> User:
    """修改密码 (own): the current password, the new one twice. The caller keeps its own session
    with update_session_auth_hash; every other session ends (the hash changed) and every API
    token is deleted. Throttled per account like a login."""
    require_role(actor, STAFF)
    fields = {}
    if not current_password:
        fields["current_password"] = "请输入当前密码"
    if not new_password:
        fields["new_password"] = "请输入新密码"
    elif new_password != new_password_again:
        fields["new_password_again"] = "两次输入的新密码不一致"
    if fields:
        raise DomainError(next(iter(fields.values())), fields=fields)
    throttle.take("staff-password", str(actor.pk), limit=PASSWORD_CHANGE_TRIES,
                  window_seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS, message="尝试次数过多，请{minutes}分钟后再试")
    user = User.objects.get(pk=actor.pk)
    if not user.check_password(current_password):
        raise DomainError("当前密码不正确", code="wrong_password", fields={"current_password": "当前密码不正确"})
    throttle.undo("staff-password", str(actor.pk))  # the right password: not a guess
    if new_password == current_password:
        raise DomainError("新密码不能与当前密码相同", fields={"new_password": "与当前密码相同"})
    problem = password_refusal(new_password, user)
    if problem:
        raise DomainError(problem, code="weak_password", fields={"new_password": problem})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        was_forced = user.must_change_password
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        ApiToken.objects.filter(user_id=user.pk).delete()
        audit_record(
            actor=user, action="staff_account.password_change", summary="修改本人密码",
            target=user, school_id=user.school_id,
            changes={"must_change_password": [True, False]} if was_forced else {},
            client_address=client_address,
        )
    return user
