"""The one place that decides which rows an actor may see. Fails closed.

Every scoped model declares `scope = {role: (lookup_path, actor_attribute)}`; a role not
listed, a model without a declaration or an actor without the attribute sees nothing.
Views, API endpoints and services start their querysets here: `visible_to(Model, actor)`.
"""

from __future__ import annotations

from django.db import models

from apps.core.errors import NotFound


def visible_to(model_or_qs, actor) -> models.QuerySet:
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs._default_manager.all()
    model = qs.model
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    rule = getattr(model, "scope", {}).get(getattr(actor, "role", ""))
    if rule is None:
        return qs.none()
    path, attribute = rule
    value = getattr(actor, attribute, None)
    if value is None:
        return qs.none()
    return qs.filter(**{path: value})


def get_visible(model_or_qs, actor, **lookup):
    """Fetch one row by id from what the actor may see; strangers' ids look like missing ones."""
    try:
        return visible_to(model_or_qs, actor).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def graduate_record_scope(through: str = "") -> dict[str, tuple[str, str]]:
    """The usual declaration for a row that belongs to one graduate and carries (directly,
    or through the relation `through`) the graduate's school and college: the graduate sees
    own rows, college staff their college's, school staff their school's, province staff
    their province's."""
    p = f"{through}__" if through else ""
    return {
        "province_staff": (f"{p}school__province", "province_id"),
        "school_staff": (f"{p}school", "school_id"),
        "college_staff": (f"{p}college", "college_id"),
        "graduate": (f"{p}graduate", "graduate_id"),
    }
