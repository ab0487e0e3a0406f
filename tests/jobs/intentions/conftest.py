"""Postings for the intention tests (the browser test is tests/browser/test_job_intentions.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


def make_posting(employer, *, school=None, province=None, title="软件工程师", category_code="13", industry_code="34",
                 nature_code="39", salary=(6000, 9000), county="340104", published_at=None, status="published",
                 deadline_days=30):
    """A posting in `school`'s channel (the province's when school is None), one county."""
    from apps.jobs.models import Posting, PostingPlace
    from apps.jobs.search import posting_index_columns

    now = timezone.now()
    province_id = province.pk if province is not None else school.province_id
    p = Posting(employer=employer, channel_province_id=province_id, channel_school=school, title=title,
                category_code=category_code, openings=2, education_codes=[], salary_min=salary[0],
                salary_max=salary[1], description="负责开发工作。", contact_name="王经理",
                contact_phone="0551-12345678", deadline=timezone.localdate() + timedelta(days=deadline_days),
                industry_code=industry_code, nature_code=nature_code, status=status, submitted_at=now,
                published_at=(published_at or now) if status == "published" else None)
    p.search_title, p.search_body = posting_index_columns(p)
    p.save()
    if county:
        PostingPlace.objects.create(posting=p, county_code=county, city_code=county[:4], province_code=county[:2])
    return p


@pytest.fixture
def posting_factory(world):
    def make(**kw):
        kw.setdefault("school", world.school)
        return make_posting(world.employer, **kw)

    return make
