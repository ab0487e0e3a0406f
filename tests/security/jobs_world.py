"""The job side of the security world (issue 12): base objects shared by the areas, then
each area's own builder (tests/security/expect_*.py)."""

from __future__ import annotations


def build_jobs_world(w, users) -> None:
    from apps.jobs.models import PostingStatus
    from apps.resumes.models import Resume, ResumeItem
    from tests.factories import make_posting
    from tests.security.permission_expectations import FRAGMENTS

    employer = users["employer"].employer
    school = w.objects.school
    def posting(title, status):
        return make_posting(employer, school, title=title, status=status)

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
