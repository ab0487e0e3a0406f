from django.core.management.base import BaseCommand

from apps.signing.services import invitations_expire


class Command(BaseCommand):
    help = "Mark open invitations past their validity as 已过期 and notify both sides (run from cron, e.g. hourly)."

    def handle(self, *args, **options):
        count = invitations_expire()
        if options.get("verbosity", 1):
            self.stdout.write(f"{count} invitation(s) expired")
