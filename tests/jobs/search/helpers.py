"""Postings for the search tests, made the way the posting services store them: the search
columns from apps.jobs.search.posting_index_columns, places with their prefixes."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.jobs.education import education_mask
from apps.jobs.models import Posting, PostingPlace, PostingStatus
from apps.jobs.search import posting_index_columns


def make_posting(employer, *, school=None, province=None, title="软件工程师", description="负责后端开发。",
                 category="13", education=("231",), salary=(6000, 9000), places=("340104",), days_left=30,
                 status=PostingStatus.PUBLISHED, published_ago_hours=1, majors_text="", **extra) -> Posting:
    """A posting in `school`'s channel, or the province's when `school` is None."""
    now = timezone.now()
    province_id = school.province_id if school is not None else (province or employer.verifier_province).pk
    posting = Posting(
        employer=employer, channel_province_id=province_id, channel_school=school, title=title,
        category_code=category, openings=2, education_codes=list(education), education_mask=education_mask(list(education)),
        salary_min=salary[0], salary_max=salary[1], description=description, majors_text=majors_text,
        contact_name="王经理", contact_phone="0551-12345678",
        deadline=timezone.localdate() + timedelta(days=days_left), industry_code=employer.industry_code,
        nature_code=employer.nature_code, status=status, submitted_at=now,
        published_at=now - timedelta(hours=published_ago_hours) if status == PostingStatus.PUBLISHED else None,
        **extra)
    posting.search_title, posting.search_body = posting_index_columns(posting)
    posting.save()
    for county in places:
        PostingPlace.objects.create(posting=posting, county_code=county, city_code=county[:4], province_code=county[:2])
    return posting
