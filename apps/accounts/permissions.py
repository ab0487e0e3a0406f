"""Who may do what, declared once. Services call `require_role`; views use `role_required`."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login

from apps.accounts.models import Role
from apps.core.errors import Forbidden

STAFF = (Role.COLLEGE_STAFF, Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
SCHOOL_STAFF = (Role.SCHOOL_STAFF,)
REVIEWERS = (Role.COLLEGE_STAFF, Role.SCHOOL_STAFF)


def require_role(actor, roles) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in roles:
        raise Forbidden()


def acting_graduate(actor, *, refusal: str = "无权执行此操作", related: tuple[str, ...] = ("school",)):
    """The Graduate behind a graduate actor; anyone else is refused with `refusal` (403)."""
    if actor is None or not actor.is_authenticated or actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden(refusal)
    from apps.graduates.models import Graduate

    return Graduate.objects.select_related(*related).get(pk=actor.graduate_id)


def acting_employer(actor):
    """The Employer behind an employer user (403 for anyone else)."""
    require_role(actor, (Role.EMPLOYER,))
    if actor.employer_id is None:
        raise Forbidden()
    return actor.employer


def role_required(*roles):
    """Page decorator: anonymous → login page; wrong role → 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                login_url = "/login/" if Role.GRADUATE in roles else "/staff/login/"
                return redirect_to_login(request.get_full_path(), login_url)
            require_role(user, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
