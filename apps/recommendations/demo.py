"""Demo data for this area (apps/organisations/demo.py calls it after the demo postings)."""

from __future__ import annotations


def demo_recommendations() -> None:
    """Filled in by the area's work; must be idempotent-safe on an empty demo database."""
