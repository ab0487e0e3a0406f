"""The demo has an upcoming fair with the demo employer's booth, one employer waiting and
graduates registered, plus an ended fair; seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.fairs.models import BoothStatus, JobFair
from apps.fairs.presenters import booth_state, fair_state


@pytest.mark.django_db
def test_demo_fairs(reference):
    call_command("seed_demo", graduates_per_school=20, verbosity=0)
    call_command("seed_demo", verbosity=0)
    upcoming, ended = JobFair.objects.order_by("-starts_at")
    assert fair_state(upcoming).title == "报名中" and fair_state(ended).title == "已结束"
    booths = {b.status: b for b in upcoming.booths.select_related("fair")}
    assert set(booths) == {BoothStatus.APPROVED, BoothStatus.WAITING}
    assert booths[BoothStatus.APPROVED].postings.count() == 3
    assert booth_state(booths[BoothStatus.WAITING], viewer_role="employer").title == "候补中（第1位）"
    assert upcoming.interest_count == upcoming.interests.count() == 5
