"""The daily digest of new matching postings (新职位提醒): at most ONE in-app notification a
day per graduate who turned it on.

`send_match_digests` runs every hour (apps/core/schedule.py) and does nothing before
DIGEST_HOUR local time, so nobody is messaged at night. A digest sent on day D covers the
postings published in [D' DIGEST_HOUR, D DIGEST_HOUR), D' being the day of the previous
digest (`last_digest_on`; yesterday for the first one, at most LOOKBACK_DAYS back): the
windows of successive digests follow each other without overlap or gap, whatever hour the
job actually runs.

Once per intention and day, in ONE transaction: the row is claimed by a conditional UPDATE
(`last_digest_on` still what we read, notify still on → set to today), then the matches are
counted and, if there are any, the notification is stored. A second scheduler (or a rerun)
finds the row already claimed and sends nothing; a process killed before the commit leaves
neither the claim nor the notification, so the next run sends it. A day with nothing new
is claimed too (its window has been looked at)."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.core.jobs import checkpoint
from apps.jobs.matching import matching_queryset
from apps.jobs.models import JobIntention

logger = logging.getLogger(__name__)

DIGEST_HOUR = 8  # local time: digests go out from 08:00 on
LOOKBACK_DAYS = 7  # a digest never reaches further back (notify turned on again after months)
COUNT_CAP = 99  # 「有99个以上新职位…」
DIGEST_KIND = "jobs.match_digest"
BATCH = 500


def _cutoff(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(DIGEST_HOUR)))


def digest_window(last_digest_on: date | None, today: date) -> tuple[datetime, datetime]:
    """[since, until) of the postings a digest sent today reports."""
    start = last_digest_on or (today - timedelta(days=1))
    start = max(start, today - timedelta(days=LOOKBACK_DAYS))
    return _cutoff(start), _cutoff(today)


def digest_title(count: int) -> str:
    if count > COUNT_CAP:
        return f"有{COUNT_CAP}个以上新职位符合你的求职意向"
    return f"有{count}个新职位符合你的求职意向"


def _due(today: date):
    return Q(notify=True) & (Q(last_digest_on__isnull=True) | Q(last_digest_on__lt=today))


def claim_intention(intention_id: int, *, seen: date | None, today: date) -> bool:
    """The conditional UPDATE: True for exactly one caller per intention and day, the one whose
    UPDATE still finds notify on and `last_digest_on` as it read it (`seen`). A concurrent
    caller waits for the row (PostgreSQL row lock, SQLite's write lock) and then matches
    nothing."""
    return JobIntention.objects.filter(_due(today), pk=intention_id, last_digest_on=seen).update(
        last_digest_on=today) == 1


def digest_one(intention_id: int, *, today: date) -> bool:
    """Claim one intention for today and send its digest if anything new matches; True when a
    notification was stored. Safe to call twice, from two processes, or after a kill."""
    from apps.notifications.services import notify

    with transaction.atomic():
        intention = (JobIntention.objects.filter(_due(today), pk=intention_id)
                     .select_related("graduate__school").first())
        if intention is None:
            return False
        if not claim_intention(intention_id, seen=intention.last_digest_on, today=today):
            return False
        since, until = digest_window(intention.last_digest_on, today)
        count = matching_queryset(graduate=intention.graduate, intention=intention, since=since,
                                  until=until)[:COUNT_CAP + 1].count()
        if count:
            notify(kind=DIGEST_KIND, title=digest_title(count), graduate=intention.graduate,
                   body="点击查看符合求职意向的职位，最符合的排在前面。", link=reverse("job-intentions"))
        checkpoint("jobs.match_digest")  # tests kill the process here: claimed and stored, not committed
    return bool(count)


def send_match_digests(*, now: datetime | None = None) -> int:
    """Every due intention, one transaction each; returns the number of notifications sent."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    today = local.date()
    sent = 0
    due = JobIntention.objects.filter(_due(today)).order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        # batches by primary key, no open cursor while the rows are claimed
        batch = list(due.filter(pk__gt=last)[:BATCH])
        for intention_id in batch:
            try:
                sent += digest_one(intention_id, today=today)
            except Exception:  # one bad row must not stop everyone else's digest; the next run retries it
                logger.exception("match digest of intention %s failed", intention_id)
        if len(batch) < BATCH:
            return sent
        last = batch[-1]
