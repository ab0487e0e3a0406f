"""Permission-matrix entries for the staff inbox (待办) pages and API (see
permission_expectations.py).

Every staff member has an inbox (its summary lists the queues of their role, counted in their
scope). The destination review queue (毕业去向审核) belongs to college and school staff: each
sees only what waits in their own college / school; province staff have no such queue (403).
Its batch approval is a POST: only the denied personas send it here."""

from __future__ import annotations

from tests.security.permission_expectations import REVIEWERS, STAFF, Page, _p

QUEUE = {"key": "=destinations"}

PAGES: dict = {
    "staff-inbox": Page(STAFF),
    "staff-inbox-queue": Page(REVIEWERS, QUEUE),
    "staff-inbox-batch-approve": Page(REVIEWERS, QUEUE, post_only=True),
}
API: dict = {
    "apps_backoffice_api_inbox_inbox_summary": _p(STAFF),
    "apps_backoffice_api_inbox_inbox_items": _p(REVIEWERS, QUEUE),
    "apps_backoffice_api_inbox_inbox_batch_approve": _p(REVIEWERS, QUEUE),
}


def build(w, users) -> None:
    """Nothing extra: the owner's own records (the world's destination among them) are what the
    owner's college and school staff find waiting."""
