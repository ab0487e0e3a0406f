"""Permission-matrix entries for the back office (inbox) pages and API (see
permission_expectations.py). Filled in by the issue-14 work on this area."""

from __future__ import annotations

PAGES: dict = {}
API: dict = {}


def build(w, users) -> None:
    """Nothing extra in the world for this area."""
