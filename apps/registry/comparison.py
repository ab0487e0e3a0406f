"""What the comparison view (全国毕业去向登记系统数据查看) and ``GET /registry/mine`` show, put
together once: the registry's copy (read now through ``registry_copy_refresh``, or the last one
kept), the platform's record, the sync state, all worded by the presenters."""
from __future__ import annotations

from apps.accounts.models import Role
from apps.registry import presenters, selectors
from apps.registry.services_copy import registry_copy_refresh


def graduate_comparison(*, actor, graduate) -> dict:
    """Everything the comparison view and ``GET /registry/mine`` show: the registry's copy
    (read now, or the last one kept), the platform's record, the sync state."""
    copy = registry_copy_refresh(actor=actor, graduate=graduate)
    platform = selectors.platform_record(graduate=graduate)
    synced = selectors.graduate_sync_view(actor=actor, graduate_id=graduate.pk)
    sections = presenters.comparison(platform, copy.record, owner=actor.role == Role.GRADUATE)
    return {
        "sections": sections,
        "differences": presenters.differences(sections),
        "sync": presenters.sync_state(synced.sync, synced.pending, synced.dead, viewer_role=actor.role),
        "waiting": synced.pending > 0 or synced.dead > 0,
        "copy": copy,
        "copy_state": presenters.copy_state(copy.status, copy.fetched_at),
        "last_delivered_at": synced.sync.last_delivered_at if synced.sync else None,
        "verification_code": copy.verification_code,
        "changes_until": presenters.changes_until_text(graduate.cohort),
    }
