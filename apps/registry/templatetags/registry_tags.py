"""``{% registry_entries graduate %}``: a graduate's own outbox entries and sync state on the
staff detail page (the page's view stays as it is: the include reads through the selectors)."""
from __future__ import annotations

from django import template

from apps.registry import presenters, selectors

register = template.Library()

ENTRIES_SHOWN = 20


@register.inclusion_tag("registry/_graduate_entries.html", takes_context=True)
def registry_entries(context, graduate):
    request = context["request"]
    actor = request.user
    synced = selectors.graduate_sync_view(actor=actor, graduate_id=graduate.pk)
    entries = selectors.graduate_entries(actor=actor, graduate_id=graduate.pk, limit=ENTRIES_SHOWN + 1)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "sync": presenters.sync_state(synced.sync, synced.pending, synced.dead, viewer_role=actor.role),
        "verification_code": synced.sync.verification_code if synced.sync else "",
        "rows": [presenters.entry_row(e) for e in entries[:ENTRIES_SHOWN]],
        "more": len(entries) > ENTRIES_SHOWN,
        "may_retry": actor.role in presenters.RETRIERS,
    }
