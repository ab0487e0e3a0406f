"""Two requests of the same graduate applying to the same posting at once: exactly one
application, the other refused with the same message as a second try; the counter counts one."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.applications import services
from apps.applications.models import Application
from apps.jobs.models import Posting
from tests.applications.builders import make_posting, make_resume
from tests.throttle_helpers import in_parallel

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_parallel_applications_store_one(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent writers)")
    posting = make_posting(world.employer, world.school)
    make_resume(world.graduate)
    outcomes = in_parallel(8, lambda i: services.application_submit(actor=world.graduate_user, posting=posting))
    assert outcomes == {"accepted": 1, "duplicate": 7}, dict(outcomes)
    assert Application.objects.count() == 1
    assert Posting.objects.get(pk=posting.pk).application_count == 1
