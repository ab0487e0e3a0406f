from django.core.management.base import BaseCommand

from apps.graduates.counts import recount_graduates


class Command(BaseCommand):
    help = ("Rebuild the maintained graduate counts per college (各院系毕业生人数) from the graduates. "
            "Idempotent; runs nightly (apps/core/schedule.py) and after bulk loads that bypass the ORM.")

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, action="append", dest="schools",
                            help="only this school id (repeatable)")

    def handle(self, *args, **options):
        repaired = recount_graduates(school_ids=options.get("schools"))
        self.stdout.write(f"recount_graduates: {repaired} college counts corrected")
