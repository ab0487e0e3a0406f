"""Postings for the intention tests (the browser test is tests/browser/test_job_intentions.py)."""

from __future__ import annotations

import pytest

from tests import factories


def make_posting(employer, *, county="340104", category_code="13", deadline_days=30, published_at=None, **kw):
    """The one posting builder (tests/factories) with the intention tests' defaults: one county
    (empty = none), no education requirement, published now."""
    from django.utils import timezone

    return factories.make_posting(employer, places=(county,) if county else (), category=category_code,
                                  days_left=deadline_days, education=(),
                                  published_at=published_at or timezone.now(), **kw)


@pytest.fixture
def posting_factory(world):
    def make(**kw):
        kw.setdefault("school", world.school)
        return make_posting(world.employer, **kw)

    return make
