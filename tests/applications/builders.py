"""Builders for the applications tests: a published posting in a channel, a resume with the
minimum to apply (one education item)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.jobs.models import Posting, PostingPlace, PostingStatus
from apps.jobs.search import posting_index_columns
from apps.resumes.models import Resume, ResumeItem


def make_posting(employer, school=None, *, province=None, title="软件工程师", status=PostingStatus.PUBLISHED,
                 deadline_days=30, **extra) -> Posting:
    """A posting of `employer` in `school`'s channel (or the province's when school is None)."""
    now = timezone.now()
    province_id = school.province_id if school is not None else province.pk
    p = Posting(employer=employer, channel_province_id=province_id, channel_school=school, title=title,
                category_code="13", openings=2, education_codes=[], salary_min=6000, salary_max=9000,
                description="负责后端开发。", contact_name="王经理", contact_phone="0551-12345678",
                deadline=timezone.localdate() + timedelta(days=deadline_days), industry_code=employer.industry_code,
                nature_code=employer.nature_code, status=status, submitted_at=now,
                published_at=now if status == PostingStatus.PUBLISHED else None, **extra)
    p.search_title, p.search_body = posting_index_columns(p)
    p.save()
    PostingPlace.objects.create(posting=p, county_code="340104", city_code="3401", province_code="34")
    return p


def make_resume(graduate, *, school_name="安徽示例大学", major="软件工程", evaluation="踏实肯干。") -> Resume:
    resume, _ = Resume.objects.get_or_create(graduate=graduate, defaults={"self_evaluation": evaluation})
    ResumeItem.objects.create(resume=resume, section="education", title=school_name, role=major,
                              start_month="2022-09", end_month="2026-06")
    return resume
