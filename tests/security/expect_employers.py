"""Permission-matrix entries for the employers pages and API (see permission_expectations.py)."""

from __future__ import annotations

from tests.security.permission_expectations import Page, _p  # noqa: F401

PAGES: dict = {}
API: dict = {}


def build(w, users) -> None:
    """Add this area's objects to the security world; their ids go on w.ids."""
