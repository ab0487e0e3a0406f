from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.notifications import delivery


class Command(BaseCommand):
    help = delivery.send_notification_digests.__doc__.splitlines()[0]

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
        result = delivery.send_notification_digests(now=now)
        if options.get("verbosity", 1):
            self.stdout.write(str(result))
