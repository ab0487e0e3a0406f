from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.jobs.digest import send_match_digests


class Command(BaseCommand):
    help = ("Send the daily digest of new postings matching each graduate's job intention (at most one a day per "
            "graduate; run hourly from run_scheduler).")

    def add_arguments(self, parser):
        parser.add_argument("--now", default="", help="run as at this local time, ISO format (catching up a missed day)")

    def handle(self, *args, **options):
        now = None
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        sent = send_match_digests(now=now)
        if options.get("verbosity", 1):
            self.stdout.write(f"{sent} digest(s) sent")
