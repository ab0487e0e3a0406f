from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chains of the audit trail (审计日志防篡改校验)."

    def handle(self, *args, **options):
        reports = audit_verify()
        bad = [r for r in reports if not r.ok]
        for r in reports:
            state = "OK" if r.ok else f"BROKEN at position {r.broken_at}"
            self.stdout.write(f"{r.chain}: {r.entries} entries, {state}")
        if bad:
            raise CommandError(f"{len(bad)} audit chain(s) failed verification")
        self.stdout.write(self.style.SUCCESS("audit trail verified"))
