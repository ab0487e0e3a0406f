"""Who may do what, declared once. Services call `require_role`; views use `role_required`."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login

from apps.accounts.models import Role
from apps.core.errors import Forbidden

STAFF = (Role.COLLEGE_STAFF, Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
SCHOOL_STAFF = (Role.SCHOOL_STAFF,)
REVIEWERS = (Role.COLLEGE_STAFF, Role.SCHOOL_STAFF)
# 账号管理: school staff manage their colleges' staff, province staff their schools' staff
ACCOUNT_MANAGERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
SESSION_ENDED = "账号已停用或登录已失效，请重新登录；如有疑问请联系管理员"


def require_role(actor, roles) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in roles:
        raise Forbidden()


def acting_graduate(actor, *, refusal: str = "无权执行此操作", related: tuple[str, ...] = ("school",),
                    only: tuple[str, ...] = ()):
    """The Graduate behind a graduate actor; anyone else is refused with `refusal` (403).
    `only`: the columns a hot door needs (the whole row decrypts the ID number and phones)."""
    if actor is None or not actor.is_authenticated or actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden(refusal)
    from apps.graduates.models import Graduate

    graduates = Graduate.objects.select_related(*related)
    return (graduates.only(*only) if only else graduates).get(pk=actor.graduate_id)


def acting_employer(actor):
    """The Employer behind an employer user (403 for anyone else)."""
    require_role(actor, (Role.EMPLOYER,))
    if actor.employer_id is None:
        raise Forbidden()
    return actor.employer


def role_required(*roles, before_password_change: bool = False):
    """Page decorator: anonymous → login page; wrong role → 403 page; a staff member who must
    change a password an administrator set (must_change_password) → 修改密码, except on the
    pages marked `before_password_change` (the password page itself)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                login_url = "/login/" if Role.GRADUATE in roles else "/staff/login/"
                if login_url == "/staff/login/" and request.session.get("_auth_user_id"):
                    # the session still names an account the backend refused (disabled since
                    # it signed in): end it, and say why on the login page
                    request.session.flush()
                    from django.contrib import messages

                    messages.error(request, SESSION_ENDED)
                return redirect_to_login(request.get_full_path(), login_url)
            require_role(user, roles)
            if user.must_change_password and user.role in STAFF and not before_password_change:
                from django.shortcuts import redirect

                return redirect("staff-password")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
