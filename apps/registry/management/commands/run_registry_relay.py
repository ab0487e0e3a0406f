"""manage.py run_registry_relay — deliver the registry outbox (全国毕业去向登记系统 报送).

    manage.py run_registry_relay                 # loop until SIGTERM / SIGINT
    manage.py run_registry_relay --once          # one batch, then exit (cron, tests)
    manage.py run_registry_relay --batch 100 --idle-sleep 2

Several may run at once on PostgreSQL (claims use FOR UPDATE SKIP LOCKED); on SQLite run one
(apps/registry/relay.py). Output holds counts only, never record values.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.registry.relay import DEFAULT_BATCH, Relay


class Command(BaseCommand):
    help = "Deliver pending registry outbox entries in per-graduate order (loops until SIGTERM unless --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="deliver one batch and exit")
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="entries claimed per round")
        parser.add_argument("--idle-sleep", type=float, default=1.0, help="seconds to wait when nothing is due")

    def handle(self, *args, once: bool, batch: int, idle_sleep: float, verbosity: int, **options):
        if batch < 1 or idle_sleep < 0:
            raise CommandError("--batch must be at least 1 and --idle-sleep not negative")
        log = (lambda message: self.stdout.write(message, ending="\n")) if verbosity >= 2 else None
        relay = Relay(batch=batch, idle_sleep=idle_sleep, log=log)
        if once:
            total = relay.run_once()
        else:
            relay.install_signal_handlers()  # SIGTERM ends the loop after the current delivery
            total = relay.run()
        if verbosity >= 1:
            self.stdout.write(f"registry relay: delivered {total.delivered} (replays {total.duplicates}), "
                              f"retry {total.retried}, dead {total.dead}")
