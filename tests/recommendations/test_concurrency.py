"""At most one waiting and one issued 就业推荐表 per graduate, however many requests or issues race.

Threads with their own database connections wait at a barrier, then act at once. On PostgreSQL
they really race (the graduate row lock + the partial unique constraints); on SQLite IMMEDIATE
transactions serialise them."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from apps.core.errors import DomainError
from apps.recommendations.models import RecommendationForm
from apps.recommendations.models import RecommendationStatus as S
from apps.recommendations.services import recommendation_request
from tests.recommendations.conftest import issue

RACERS = 12


def _race(count: int, act) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(n):
        try:
            barrier.wait(timeout=30)
            act(n)
            result = "ok"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # noqa: BLE001 - any other failure is a test failure below
            result = f"error:{type(exc).__name__}:{exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_racing_requests_leave_one_waiting_form(world):
    outcomes = _race(RACERS, lambda n: recommendation_request(actor=world.graduate_user))
    assert sorted(outcomes) == ["already_requested"] * (RACERS - 1) + ["ok"]
    assert RecommendationForm.objects.filter(graduate=world.graduate, status=S.REQUESTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_issues_leave_one_issued_form_and_void_the_others(world):
    staff = [world.college_admin, world.school_admin, world.college_admin, world.school_admin]
    outcomes = _race(len(staff), lambda n: issue(staff[n], world.graduate, opinion=f"第{n}份意见。"))
    assert outcomes == ["ok"] * len(staff)
    forms = list(RecommendationForm.objects.filter(graduate=world.graduate))
    issued = [f for f in forms if f.status == S.ISSUED]
    assert len(issued) == 1 and len(forms) == len(staff)
    # every void form was replaced by a later one: one chain ending at the issued form
    replaced = {f.replaced_by_id for f in forms if f.status == S.VOID}
    assert all(f.void_reason == "已重新签发" for f in forms if f.status == S.VOID)
    assert issued[0].pk in replaced and len(replaced) == len(staff) - 1
