"""新职位提醒: one in-app notification a day at most, covering the postings published since
the previous digest; a claimed day is never sent twice (rerun, two schedulers, killed process)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from apps.core import schedule
from apps.jobs.digest import DIGEST_HOUR, DIGEST_KIND, claim_intention, digest_window, send_match_digests
from apps.jobs.models import JobIntention
from apps.notifications.models import Notification

TODAY = timezone.localdate()


def at(day, hour, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
NOW = at(TODAY, 10)


@pytest.fixture
def intention(world):
    return JobIntention.objects.create(graduate=world.graduate, category_codes=["13"], place_codes=["34"], notify=True)


def digests(graduate=None):
    qs = Notification.objects.filter(kind=DIGEST_KIND)
    return list(qs.filter(graduate=graduate) if graduate else qs)


def test_first_digest_reports_yesterdays_new_matching_postings(world, intention, posting_factory):
    posting_factory(title="昨天的岗位", published_at=at(YESTERDAY, 12))
    posting_factory(title="昨天另一个", published_at=at(TODAY, 7, 59))
    posting_factory(title="不符合的岗位", category_code="40", county="320102", published_at=at(YESTERDAY, 12))
    posting_factory(title="今天八点后的", published_at=at(TODAY, 9))  # the next digest's

    assert send_match_digests(now=NOW) == 1

    [note] = digests()
    assert note.graduate == world.graduate
    assert note.title == "有2个新职位符合你的求职意向"
    assert note.link == "/me/intentions/"
    intention.refresh_from_db()
    assert intention.last_digest_on == TODAY


def test_run_twice_the_same_day_sends_one(world, intention, posting_factory):
    posting_factory(published_at=at(YESTERDAY, 12))
    assert send_match_digests(now=NOW) == 1
    posting_factory(title="又一个", published_at=at(YESTERDAY, 13))
    assert send_match_digests(now=NOW + timedelta(hours=1)) == 0
    assert call_command("send_match_digests", now=(NOW + timedelta(hours=2)).isoformat(), verbosity=0) is None
    assert len(digests()) == 1


def test_next_day_reports_only_what_came_since_the_last_digest(world, intention, posting_factory):
    posting_factory(title="昨天的岗位", published_at=at(YESTERDAY, 12))
    send_match_digests(now=NOW)
    posting_factory(title="今天的岗位", published_at=at(TODAY, 9))

    assert send_match_digests(now=at(TOMORROW, 8, 5)) == 1

    newest = Notification.objects.filter(kind=DIGEST_KIND).order_by("-id").first()
    assert newest.title == "有1个新职位符合你的求职意向"
    assert len(digests()) == 2


def test_nothing_before_the_digest_hour(world, intention, posting_factory):
    posting_factory(published_at=at(YESTERDAY, 12))
    assert send_match_digests(now=at(TODAY, DIGEST_HOUR - 1, 59)) == 0
    intention.refresh_from_db()
    assert intention.last_digest_on is None and not digests()


def test_a_day_without_news_is_claimed_without_a_notification(world, intention, posting_factory):
    posting_factory(title="不符合", category_code="40", county="320102", published_at=at(YESTERDAY, 12))
    assert send_match_digests(now=NOW) == 0
    intention.refresh_from_db()
    assert intention.last_digest_on == TODAY and not digests()


def test_notify_off_sends_nothing(world, intention, posting_factory):
    JobIntention.objects.filter(pk=intention.pk).update(notify=False)
    posting_factory(published_at=at(YESTERDAY, 12))
    assert send_match_digests(now=NOW) == 0
    intention.refresh_from_db()
    assert intention.last_digest_on is None


def test_other_schools_new_postings_are_not_reported(world, intention, posting_factory):
    posting_factory(title="外校岗位", school=world.other_school, published_at=at(YESTERDAY, 12))
    assert send_match_digests(now=NOW) == 0
    assert not digests()


def test_the_claim_is_conditional(world, intention):
    seen = intention.last_digest_on  # what this scheduler read: never sent
    # another scheduler claims the row first
    assert claim_intention(intention.pk, seen=seen, today=TODAY) is True
    # ours, with the same stale read, changes nothing
    assert claim_intention(intention.pk, seen=seen, today=TODAY) is False
    # a fresh read of today's claim is not due either
    assert claim_intention(intention.pk, seen=TODAY, today=TODAY) is False
    # tomorrow it is due again, from today's claim
    assert claim_intention(intention.pk, seen=TODAY, today=TOMORROW) is True


def test_window_is_bounded_and_contiguous():
    since, until = digest_window(None, TODAY)
    assert (since, until) == (at(YESTERDAY, DIGEST_HOUR), at(TODAY, DIGEST_HOUR))
    assert digest_window(YESTERDAY, TOMORROW)[0] == at(YESTERDAY, DIGEST_HOUR)
    assert digest_window(TODAY - timedelta(days=90), TODAY)[0] == at(TODAY - timedelta(days=7), DIGEST_HOUR)


def test_the_scheduler_lists_the_digest_hourly():
    assert {job.name: job.every for job in schedule.SCHEDULE}["send_match_digests"] == timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_one_digest(world, posting_factory):
    JobIntention.objects.create(graduate=world.graduate, category_codes=["13"], notify=True)
    posting_factory(published_at=at(YESTERDAY, 12))
    racers = 4
    barrier = threading.Barrier(racers)
    sent: list[int] = []
    lock = threading.Lock()

    def scheduler():
        try:
            barrier.wait(timeout=30)
            n = send_match_digests(now=NOW)
            with lock:
                sent.append(n)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(sent) == [0] * (racers - 1) + [1]
    assert len(digests()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_digest_process_killed_before_commit_leaves_nothing_and_the_rerun_sends_once(world, posting_factory):
    """A real `manage.py send_match_digests` is SIGKILLed at its checkpoint: the claim and the
    notification were in its open transaction, so both are gone, and the next run sends the
    day's digest exactly once."""
    from tests.worker_harness import kill_command_at_checkpoint, prepare_database

    intention = JobIntention.objects.create(graduate=world.graduate, category_codes=["13"], notify=True)
    posting_factory(published_at=at(YESTERDAY, 12))
    prepare_database()
    kill_command_at_checkpoint(["send_match_digests", "--now", NOW.isoformat()], pause="jobs.match_digest")

    intention.refresh_from_db()
    assert intention.last_digest_on is None  # the claim rolled back with the notification
    assert not digests()

    assert send_match_digests(now=NOW) == 1
    assert send_match_digests(now=NOW) == 0
    assert len(digests()) == 1
