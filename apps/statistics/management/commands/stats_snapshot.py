from django.core.management.base import CommandError

from apps.core.management.periodic import PeriodicCommand
from apps.organisations.models import School
from apps.statistics.snapshots import stats_snapshot_all


class Command(PeriodicCommand):
    help = ("Take the day's statistics snapshot (毕业去向落实率 and breakdowns) of every school's current "
            "cohort, one school per transaction; re-running the same day overwrites (run daily from run_scheduler).")
    report = "{} school snapshot(s) written"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--school", type=int, action="append", default=[], help="only this school id (repeatable)")
        parser.add_argument("--missing", action="store_true", help="only schools without the day's snapshot")

    def handle(self, *args, **options):
        self._schools = options["school"]
        self._missing = options["missing"]
        unknown = set(self._schools) - set(School.objects.filter(pk__in=self._schools).values_list("pk", flat=True))
        if unknown:
            raise CommandError(f"unknown school id(s): {sorted(unknown)}")
        return super().handle(*args, **options)

    def run(self, now):
        return stats_snapshot_all(now, school_ids=self._schools or None, missing_only=self._missing)
