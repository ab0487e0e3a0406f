from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.scoping import visible_to
from apps.audit.models import AuditEntry


def graduate_history(*, actor, graduate_id: int) -> QuerySet[AuditEntry]:
    """The changes to one graduate's records that the actor may see (the graduate: own;
    staff: graduates in scope)."""
    return visible_to(AuditEntry, actor).filter(graduate_id=graduate_id).order_by("-occurred_at", "-id")
