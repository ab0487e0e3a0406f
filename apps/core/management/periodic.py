"""The shape of a periodic job's management command (run by run_scheduler, or by hand): an
optional `--now` (ISO local time, to catch up a missed run or to test), then one function."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class PeriodicCommand(BaseCommand):
    """Subclasses set `help` and `report` (e.g. "{} reminder(s) sent") and implement run(now)."""

    report = "{}"

    def add_arguments(self, parser):
        parser.add_argument("--now", default="", help="run as at this local time, ISO format (catching up a missed run)")

    def run(self, now: datetime | None):
        raise NotImplementedError

    def handle(self, *args, **options):
        now = None
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = self.run(now)
        if options.get("verbosity", 1):
            self.stdout.write(self.report.format(result))
