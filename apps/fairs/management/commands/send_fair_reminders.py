from apps.core.management.periodic import PeriodicCommand
from apps.fairs.services import send_fair_reminders


class Command(PeriodicCommand):
    help = ("The day-before reminder (fair.reminder) to every graduate registered for a fair starting tomorrow; "
            "each registration is claimed before sending, so a rerun sends nothing (hourly).")
    report = "{} fair reminder(s) sent"

    def run(self, now):
        return send_fair_reminders(now=now)
