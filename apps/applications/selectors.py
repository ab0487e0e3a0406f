"""Reads of applications (投递)."""

from __future__ import annotations


def apply_box(*, graduate, posting) -> dict:
    """Context for the apply box on a posting's page (template applications/_apply_box.html):
    whether the graduate applied, the application's state and what they may do next.
    (Skeleton: the applications work fills this in.)"""
    return {"apply_posting": posting, "apply_application": None}
