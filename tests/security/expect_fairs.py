"""Permission-matrix entries for the fairs pages and API (see permission_expectations.py)."""

from __future__ import annotations

PAGES: dict = {}
API: dict = {}


def build(w, users) -> None:
    """Adds this area's objects to the security world (w.objects / w.ids)."""
