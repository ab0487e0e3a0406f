from django.core.management.base import BaseCommand, CommandError

from apps.core.jobs import recover_stale_jobs


class Command(BaseCommand):
    help = ("Recover background jobs whose worker died (后台任务中断恢复): mark database-queue tasks RUNNING "
            "past JOB_LEASE_SECONDS as FAILED and re-enqueue the work each app's recoverer finds undone. "
            "Idempotent; run every minute (manage.py run_scheduler does).")

    def handle(self, *args, **options):
        counts = recover_stale_jobs()
        if options.get("verbosity", 1):
            for name, count in counts.items():
                self.stdout.write(f"{name}: {count}")
        failed = [name for name, count in counts.items() if count < 0]
        if failed:
            raise CommandError(f"recoverer(s) failed: {', '.join(failed)}")
