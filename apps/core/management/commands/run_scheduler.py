import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from apps.core.schedule import SCHEDULE, run_due


class Command(BaseCommand):
    help = ("Run the periodic jobs of apps/core/schedule.py (定时任务) in a loop. Several schedulers may run: "
            "each job still runs once per period. SIGTERM/SIGINT: finish the current job, then exit.")

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=15.0, help="seconds between checks for due jobs")
        parser.add_argument("--once", action="store_true", help="run the due jobs once and exit")

    def handle(self, *args, tick: float, once: bool, **options):
        self.stopping = False

        def stop(signum, frame):
            self.stopping = True

        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            if options.get("verbosity", 1):
                self.stdout.write(f"scheduler: {', '.join(f'{j.name} every {j.every}' for j in SCHEDULE)}")
        while True:
            if not once:  # a long-lived process: drop connections the server may have closed
                close_old_connections()
            ran = run_due()
            if ran and options.get("verbosity", 1):
                self.stdout.write(f"ran: {', '.join(ran)}")
            if once:
                return
            # sleep in short steps so SIGTERM ends the process promptly
            deadline = time.monotonic() + tick
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, tick))
            if self.stopping:
                return
