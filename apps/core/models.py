from django.db import models


class PeriodicJobRun(models.Model):
    """One row per periodic job of apps/core/schedule.py (定时任务): when it may next run.
    Schedulers claim a run with one conditional UPDATE on `next_run_at`, so two schedulers
    (or a restarted one) never run the same period twice."""

    name = models.CharField(max_length=64, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(null=True)
    runs = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class ThrottleCounter(models.Model):
    """One counter of apps/core/throttle.py (登录限流计数) when the cache is not Redis: the
    database cache's incr is a get + set, so parallel requests lose counts. Counted with one
    conditional UPDATE (count + 1 where the window is still open), so every try is counted."""

    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
