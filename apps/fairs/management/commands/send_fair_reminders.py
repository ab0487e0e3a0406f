from django.core.management.base import BaseCommand

from apps.fairs.services import send_fair_reminders


class Command(BaseCommand):
    help = ("The day-before reminder (fair.reminder) to every graduate registered for a fair starting tomorrow; "
            "each registration is claimed before sending, so a rerun sends nothing (hourly).")

    def handle(self, *args, **options):
        count = send_fair_reminders()
        if options.get("verbosity", 1):
            self.stdout.write(f"{count} fair reminder(s) sent")
