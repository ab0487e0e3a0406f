"""学校设置 read once per school per request (apps/organisations/policy.py): the destination
page and API asked for the stored SchoolPolicy three times per request (issue 9). The memo must
never show a stale policy: not to the next request (another process may have changed it), not
after a save in the same request, not after that save rolled back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.organisations.models import SchoolPolicy
from apps.organisations.policy import policy_for, policy_scope
from apps.organisations.services import school_policy_update


def _policy_reads(queries) -> int:
    return sum('"organisations_schoolpolicy"' in q["sql"] and q["sql"].startswith("SELECT") for q in queries)


@pytest.fixture
def policy(world):
    return SchoolPolicy.objects.create(school=world.school, destination_cutoff_on=date(2026, 8, 20),
                                       max_terminations=2)


def test_inside_a_scope_each_school_is_read_once(world, policy):
    with policy_scope(), CaptureQueriesContext(connection) as ctx:
        first = policy_for(world.school)
        again = policy_for(world.school)
        other = policy_for(world.other_school)  # no stored row: the defaults, also remembered
        policy_for(world.other_school)
    assert _policy_reads(ctx.captured_queries) == 2
    assert first == again and first.max_terminations == 2
    assert other.max_terminations == 3


def test_outside_a_request_every_call_reads_the_database(world, policy):
    assert policy_for(world.school).max_terminations == 2
    SchoolPolicy.objects.filter(pk=policy.pk).update(max_terminations=1)  # another process: no signal
    assert policy_for(world.school).max_terminations == 1


def test_a_save_in_the_same_request_is_seen_at_once(world, policy):
    with policy_scope():
        assert policy_for(world.school).max_terminations == 2
        school_policy_update(actor=world.school_admin, school=world.school,
                             data={"max_terminations": "1", "invitation_validity_days": "7"})
        assert policy_for(world.school).max_terminations == 1
        policy.delete()
        assert policy_for(world.school).max_terminations == 3


def test_a_rolled_back_save_is_not_remembered(world, policy):
    with policy_scope():
        assert policy_for(world.school).max_terminations == 2
        with pytest.raises(RuntimeError), transaction.atomic():
            policy.max_terminations = 1
            policy.save()
            assert policy_for(world.school).max_terminations == 1
            raise RuntimeError("the request fails after the save")
        assert policy_for(world.school).max_terminations == 2


def test_the_next_request_sees_a_change_made_elsewhere(world, policy, api_client):
    """Each request starts with an empty memo (request_started / request_finished)."""
    api_client.login_as(world.graduate_user)
    assert api_client.get("/destinations/mine").json()["state"]["cutoff_on"] == "2026-08-20"
    # changed by another process: no signal reaches this one
    SchoolPolicy.objects.filter(pk=policy.pk).update(destination_cutoff_on=date(2026, 8, 25))
    assert api_client.get("/destinations/mine").json()["state"]["cutoff_on"] == "2026-08-25"


def test_the_destination_api_reads_the_policy_once(world, policy, api_client):
    SchoolPolicy.objects.filter(pk=policy.pk).update(destination_cutoff_on=timezone.localdate() + timedelta(days=30))
    api_client.login_as(world.graduate_user)
    api_client.get("/destinations/mine")
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get("/destinations/mine")
    assert response.status_code == 200
    assert _policy_reads(ctx.captured_queries) == 1
