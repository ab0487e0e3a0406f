"""Exactly one agreement per graduate, however many confirmations race.

50 threads, each with its own database connection, wait at a barrier and then confirm 50
different invitations of one graduate at once. On PostgreSQL they really race (row lock
+ partial unique index); on SQLite IMMEDIATE transactions serialise them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.core.errors import DomainError
from apps.signing import services as signing
from apps.signing.models import Agreement, AgreementStatus, Invitation, InvitationStatus
from tests.signing.helpers import PIN, credit_code, invite, make_ready

RACERS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_confirmations_make_exactly_one_agreement(world, settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 1000  # the race is about agreements, not PIN throttling
    graduate = make_ready(world.graduate)
    invitations = []
    for n in range(RACERS):
        body = f"9134{n:04d}MA2N8Q7K0"
        invitation, _ = invite(graduate, world.graduate_user, unit_name=f"并发测试单位{n}", credit_code=credit_code(body))
        invitations.append(invitation)
    opened = timezone.now()
    for invitation in invitations:
        signing.acceptance_open(actor=world.graduate_user, invitation=invitation, now=opened)
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(invitation):
        try:
            barrier.wait(timeout=30)
            signing.acceptance_confirm(actor=world.graduate_user, invitation=invitation, pin=PIN,
                                       client_address="10.9.9.9", now=opened + timedelta(seconds=10))
            result = "signed"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # noqa: BLE001 - any other failure is a test failure below
            result = f"error:{type(exc).__name__}:{exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=race, args=(inv,)) for inv in invitations]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == RACERS
    assert outcomes.count("signed") == 1, outcomes
    assert all(o in ("signed", "not_open", "agreement_in_force") for o in outcomes), outcomes
    assert Agreement.objects.filter(graduate=graduate, status=AgreementStatus.IN_FORCE).count() == 1
    statuses = list(Invitation.objects.filter(graduate=graduate).values_list("status", flat=True))
    assert statuses.count(InvitationStatus.ACCEPTED) == 1
    assert statuses.count(InvitationStatus.SUPERSEDED) == RACERS - 1
    print(f"\n{connection.vendor}: {RACERS} racers → outcomes {sorted(set(outcomes))}")


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_second_agreement_in_force(world):
    """The partial unique index itself, without the service's lock."""
    from django.db import IntegrityError, transaction

    graduate = make_ready(world.graduate)
    first, _ = invite(graduate, world.graduate_user)
    second, _ = invite(graduate, world.graduate_user, unit_name="另一单位", credit_code=credit_code("91340200MA2N8Q7K1"))
    common = dict(graduate=graduate, school=world.school, college=world.college, accepted_at=timezone.now(),
                  accepted_address="x")
    Agreement.objects.create(number="A1", verification_code="V1", invitation=first, employer=first.employer, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(number="A2", verification_code="V2", invitation=second, employer=second.employer, **common)
