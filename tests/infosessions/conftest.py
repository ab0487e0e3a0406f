from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.infosessions import services
from apps.infosessions.models import Room


def future_day(days: int = 7):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def room(world):
    return Room.objects.create(school=world.school, name="报告厅A", capacity=3)


@pytest.fixture
def other_room(world):
    return Room.objects.create(school=world.school, name="教室B201", capacity=100)


@pytest.fixture
def request_session(world):
    """A request through the service as the world's employer; keywords override."""

    def _request(**overrides):
        args = {"actor": world.employer_user, "school_id": world.school.pk, "date": future_day(), "slot": "pm1",
                "audience": "school", "topic": "2027届校园招聘宣讲会", "description": "公司介绍与岗位说明",
                "expected_size": 80, "contact_name": "王经理", "contact_phone": "13900001111", "posting_ids": []}
        args.update(overrides)
        return services.session_request(**args)

    return _request


@pytest.fixture
def scheduled(world, room, request_session):
    session = request_session()
    return services.session_allocate(actor=world.school_admin, session=session, room_id=room.pk)


def make_posting(employer, school, *, title="软件工程师", status="published"):
    """A posting of `employer` in `school`'s channel (only what a 宣讲会 request reads)."""
    from apps.jobs.models import Posting

    now = timezone.now()
    return Posting.objects.create(
        employer=employer, channel_province_id=school.province_id, channel_school=school, title=title,
        category_code="13", openings=2, education_codes=["231"], salary_min=6000, salary_max=9000,
        description="负责后端开发。", contact_name="王经理", contact_phone="0551-12345678",
        deadline=timezone.localdate() + timedelta(days=30), industry_code=employer.industry_code,
        nature_code=employer.nature_code, status=status, submitted_at=now,
        published_at=now if status == "published" else None)
