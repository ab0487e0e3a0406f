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
