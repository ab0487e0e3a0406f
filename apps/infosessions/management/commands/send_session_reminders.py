from apps.core.management.periodic import PeriodicCommand
from apps.infosessions.services import send_session_reminders


class Command(PeriodicCommand):
    help = ("Remind each graduate signed up for tomorrow's 宣讲会, once per sign-up (run hourly from "
            "run_scheduler; a re-run sends nothing twice).")
    report = "{} reminder(s) sent"

    def run(self, now):
        return send_session_reminders(now=now)
