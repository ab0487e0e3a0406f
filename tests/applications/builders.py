"""Builders for the applications tests: a published posting in a channel, a resume with the
minimum to apply (one education item)."""

from __future__ import annotations

from apps.resumes.models import Resume, ResumeItem
from tests.factories import make_posting

__all__ = ["make_posting", "make_resume"]


def make_resume(graduate, *, school_name="安徽示例大学", major="软件工程", evaluation="踏实肯干。") -> Resume:
    resume, _ = Resume.objects.get_or_create(graduate=graduate, defaults={"self_evaluation": evaluation})
    ResumeItem.objects.create(resume=resume, section="education", title=school_name, role=major,
                              start_month="2022-09", end_month="2026-06")
    return resume
