from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.infosessions.services import send_session_reminders


class Command(BaseCommand):
    help = ("Remind each graduate signed up for tomorrow's 宣讲会, once per sign-up (run hourly from "
            "run_scheduler; a re-run sends nothing twice).")

    def add_arguments(self, parser):
        parser.add_argument("--now", default="", help="run as at this local time, ISO format")

    def handle(self, *args, **options):
        now = None
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        sent = send_session_reminders(now=now)
        if options.get("verbosity", 1):
            self.stdout.write(f"{sent} reminder(s) sent")
