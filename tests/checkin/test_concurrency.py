"""Each graduate counts once, however many scans race: threads with their own database
connections wait at a barrier and check the same graduate in at once (the screen scan and the
staff's 名片 scan together). On PostgreSQL they really race on the unique constraint; on SQLite
the writes serialise. Also: two walk-ins racing for the last 宣讲会 seat — one gets it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.core.errors import DomainError
from apps.fairs import checkin
from apps.fairs.models import FairCheckIn, JobFair
from apps.fairs.services_checkin import fair_check_in, fair_check_in_card, session_check_in
from apps.infosessions.models import InfoSession, SessionCheckIn
from tests import factories as f
from tests.checkin.helpers import card_for, make_fair, make_session, slot_start

RACERS = 8


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=30)
            result = call()
            outcome = result.outcome
        except DomainError as exc:
            outcome = exc.code
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            outcome = f"error:{type(exc).__name__}:{exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_the_same_graduate_checking_in_from_many_threads_counts_once(world):
    fair = make_fair(world.school)
    card, link = card_for(world.graduate_user)
    code = checkin.rotating_code(fair.checkin_secret, at=timezone.now())
    calls = [lambda: fair_check_in(actor=world.graduate_user, fair=fair, code=code) for _ in range(RACERS - 2)]
    calls += [lambda: fair_check_in_card(actor=world.school_admin, fair=fair, card_code=link),
              lambda: fair_check_in_card(actor=world.school_admin, fair=fair, card_code=card.short_code,
                                         client_address="10.0.0.9")]
    outcomes = _race(calls)
    assert outcomes.count("created") == 1, outcomes
    assert outcomes.count("already") == RACERS - 1, outcomes
    assert FairCheckIn.objects.filter(fair=fair).count() == 1
    assert JobFair.objects.get(pk=fair.pk).checkin_count == 1
    print(f"\n{connection.vendor}: {RACERS} check-ins of one graduate → {sorted(set(outcomes))}")


@pytest.mark.django_db(transaction=True)
def test_two_walk_ins_racing_for_the_last_session_seat(world):
    session = make_session(world.school, world.employer, capacity=1)
    now = slot_start(session) - timedelta(minutes=5)
    code = checkin.rotating_code(session.checkin_secret, at=now)
    users = [world.graduate_user, f.graduate_user(world.classmate)]
    outcomes = _race([lambda u=u: session_check_in(actor=u, session=session, code=code, now=now) for u in users])
    assert sorted(outcomes) == ["created", "session_full"], outcomes
    assert SessionCheckIn.objects.filter(session=session).count() == 1
    assert InfoSession.objects.get(pk=session.pk).checkin_count == 1
