from __future__ import annotations

from datetime import date

import pytest

from tests import factories as f

OPINION = "该生在校期间学习刻苦，成绩优良，积极参加社会实践，综合素质好，特此推荐。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """PDFs go to a temporary directory."""
    return f.use_temporary_media(settings, tmp_path)


@pytest.fixture
def resume(world):
    from apps.resumes.models import Resume, ResumeItem

    r = Resume.objects.create(graduate=world.graduate, self_evaluation="踏实肯干，乐于学习。")
    ResumeItem.objects.create(resume=r, section="education", title="安徽示例大学", role="软件工程",
                              start_month="2022-09", end_month="2026-06")
    ResumeItem.objects.create(resume=r, section="award", title="校级一等奖学金", start_month="2024-10")
    return r


def issue(actor, graduate, **kw):
    from apps.recommendations.services import recommendation_issue

    values = {"opinion": OPINION, "reviewer_name": "张老师", "opinion_date": date.today()}
    values.update(kw)
    return recommendation_issue(actor=actor, graduate=graduate, **values)
