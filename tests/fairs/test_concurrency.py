"""The booth count is never exceeded, however many approvals race. Threads with their own
database connections wait at a barrier and approve at once; on PostgreSQL they really race
(the fair row lock decides them one at a time), on SQLite the write lock serialises them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from apps.core.errors import DomainError
from apps.fairs import services
from apps.fairs.models import BoothStatus, FairBooth, JobFair
from tests.fairs.conftest import apply, make_employer_user, publish


def _race(actions) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(action):
        try:
            barrier.wait(timeout=30)
            action()
            result = "ok"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # noqa: BLE001 - any other failure is a test failure below
            result = f"error:{type(exc).__name__}:{exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_the_last_booth_give_one_booth_and_one_waiting(fairs_world):
    w = fairs_world
    fair = publish(w, booth_count=1)
    a, b = apply(w.emp_a, fair), apply(w.emp_b, fair)
    outcomes = _race([lambda booth=booth: services.booth_decide(actor=w.school_admin, booth=booth, action="approve")
                      for booth in (a, b)])
    assert outcomes == ["ok", "ok"], outcomes
    statuses = sorted(FairBooth.objects.filter(fair=fair).values_list("status", flat=True))
    assert statuses == [BoothStatus.APPROVED, BoothStatus.WAITING]
    fair.refresh_from_db()
    assert fair.approved_booths == 1
    print(f"\n{connection.vendor}: 2 approvals of 1 booth → {statuses}")


@pytest.mark.django_db(transaction=True)
def test_many_approvals_fill_exactly_the_booth_count_with_distinct_numbers(fairs_world):
    w = fairs_world
    fair = publish(w, booth_count=3)
    booths = [apply(make_employer_user(w, f"并发单位{n}有限公司"), fair) for n in range(10)]
    outcomes = _race([lambda booth=booth: services.booth_decide(actor=w.school_admin, booth=booth, action="approve")
                      for booth in booths])
    assert outcomes == ["ok"] * 10, outcomes
    approved = list(FairBooth.objects.filter(fair=fair, status=BoothStatus.APPROVED)
                    .values_list("booth_number", flat=True))
    assert sorted(approved) == [1, 2, 3]
    assert FairBooth.objects.filter(fair=fair, status=BoothStatus.WAITING).count() == 7
    assert JobFair.objects.get(pk=fair.pk).approved_booths == 3


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_approvals_never_overbooks(fairs_world):
    w = fairs_world
    fair = publish(w, booth_count=1)
    first = apply(w.emp_a, fair)
    services.booth_decide(actor=w.school_admin, booth=first, action="approve")
    others = [apply(w.emp_b, fair), apply(w.emp_c, fair)]
    actions = [lambda: services.booth_withdraw(actor=w.emp_a.user, booth=first)]
    actions += [lambda booth=booth: services.booth_decide(actor=w.school_admin, booth=booth, action="approve")
                for booth in others]
    outcomes = _race(actions)
    assert outcomes == ["ok"] * 3, outcomes
    assert FairBooth.objects.filter(fair=fair, status=BoothStatus.APPROVED).count() == 1
    assert FairBooth.objects.filter(fair=fair, status=BoothStatus.WAITING).count() == 1
    assert JobFair.objects.get(pk=fair.pk).approved_booths == 1
