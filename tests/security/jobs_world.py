"""The job side of the security world (issue 12): base objects shared by the areas, then
each area's own builder (tests/security/expect_*.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def build_jobs_world(w, users) -> None:
    from apps.jobs.models import Posting, PostingPlace, PostingStatus
    from apps.jobs.search import posting_index_columns
    from apps.resumes.models import Resume, ResumeItem
    from tests.security.permission_expectations import FRAGMENTS

    employer = users["employer"].employer
    school = w.objects.school
    now = timezone.now()

    def posting(title, status, **extra):
        p = Posting(employer=employer, channel_province_id=school.province_id, channel_school=school, title=title,
                    category_code="13", openings=2, education_codes=["231"], salary_min=6000, salary_max=9000,
                    description="负责后端开发。", contact_name="王经理", contact_phone="0551-12345678",
                    deadline=timezone.localdate() + timedelta(days=30), industry_code=employer.industry_code,
                    nature_code=employer.nature_code, status=status, submitted_at=now,
                    published_at=now if status == PostingStatus.PUBLISHED else None, **extra)
        p.search_title, p.search_body = posting_index_columns(p)
        p.save()
        PostingPlace.objects.create(posting=p, county_code="340104", city_code="3401", province_code="34")
        return p

    published = posting("软件工程师", PostingStatus.PUBLISHED)
    pending = posting("测试工程师", PostingStatus.PENDING)
    resume = Resume.objects.create(graduate=w.objects.owner, self_evaluation="踏实肯干。")
    item = ResumeItem.objects.create(resume=resume, section="education", title="安徽示例大学", role="软件工程",
                                     start_month="2022-09", end_month="2026-06")
    w.objects.posting = published
    w.ids.posting = published.pk
    w.ids.pending_posting = pending.pk
    w.ids.employer = employer.pk
    w.ids.resume_item = item.pk
    for fragment in FRAGMENTS:
        fragment.build(w, users)
