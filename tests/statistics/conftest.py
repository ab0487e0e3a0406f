"""The hand-computed cohort every statistics test of issue 14 reads (test_compute.py derives
each expected number from it by hand)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from apps.destinations.models import Destination, DestinationSource
from apps.organisations.models import SchoolPolicy
from tests import factories as f
from tests.signing.helpers import make_ready


def _destination(graduate, code, status, source=DestinationSource.MANUAL):
    return Destination.objects.create(graduate=graduate, school=graduate.school, college=graduate.college,
                                      category_code=code, status=status, source=source)


@pytest.fixture
def cohort_world(world):
    """18 graduates of 安徽示例大学's 2027 cohort over two colleges (see test_compute.py for the
    table), one graduate of 2026 and one of another school with an approved destination.

    world.graduate signs online, then the agreement is terminated (school-approved), which
    resets the destination to 待就业 / draft through the real services."""
    from tests.signing.test_presenters import build_termination

    make_ready(world.graduate)
    yesterday = timezone.localdate() - timedelta(days=1)
    SchoolPolicy.objects.update_or_create(school=world.school, defaults={
        "signing_opens_on": yesterday, "termination_opens_on": yesterday})
    termination = build_termination(world, "approved")
    assert termination.status == "approved"

    a, b = world.college, world.other_college
    now = timezone.now()

    def grad(college, major, gender_code="1", **extra):
        graduate = f.make_graduate(college=college, major=major, **extra)
        if gender_code != graduate.gender_code:  # the factory always writes 男
            graduate.gender_code = gender_code
            graduate.save(update_fields=["gender_code"])
        return graduate

    g = SimpleNamespace()
    # 计算机学院 (college A): world.graduate + a1…a9
    g.a1 = grad(a, world.major, gender_code="2", hardship_code="1", normal_student_code="2",
                origin_division_id="110101", origin_confirmed_at=now)
    _destination(g.a1, "10", "school_approved")
    g.a2 = grad(a, world.major, gender_code="2")
    _destination(g.a2, "11", "school_approved", DestinationSource.ONLINE_SIGNING)
    g.a3 = grad(a, world.major, gender_code="1")
    _destination(g.a3, "75", "school_approved")
    g.a4 = grad(a, world.major)
    _destination(g.a4, "801", "school_approved")
    g.a5 = grad(a, world.major)
    _destination(g.a5, "10", "submitted")
    g.a6 = grad(a, world.major)
    _destination(g.a6, "10", "college_approved")
    g.a7 = grad(a, world.major)
    _destination(g.a7, "10", "returned")
    g.a8 = grad(a, world.major)
    _destination(g.a8, "10", "draft")
    g.a9 = grad(a, world.major, hardship_code="2")  # no registration at all
    # 外国语学院 (college B): world.classmate (no registration) + b1…b7
    g.b1 = grad(b, world.other_major, gender_code="2", normal_student_code="1", origin_division_id="340111",
                origin_confirmed_at=now)
    _destination(g.b1, "76", "school_approved")
    g.b2 = grad(b, world.other_major, gender_code="2", normal_student_code="1")
    _destination(g.b2, "85", "school_approved")
    g.b3 = grad(b, world.other_major, gender_code="2")
    _destination(g.b3, "271", "school_approved")
    g.b4 = grad(b, world.other_major)
    _destination(g.b4, "70", "school_approved")  # approved, but 待就业 is not placed
    g.b5 = grad(b, world.other_major, education_level_code="11")
    _destination(g.b5, "46", "school_approved")
    g.b6 = grad(b, world.other_major)
    _destination(g.b6, "80", "submitted")
    g.b7 = grad(b, world.other_major, education_level_code="11")
    # outside the scope: another cohort of the same school, another school
    g.old = grad(b, world.other_major, cohort=2026)
    _destination(g.old, "12", "school_approved")
    _destination(world.stranger, "10", "school_approved")
    world.g = g
    world.termination = termination
    return world
