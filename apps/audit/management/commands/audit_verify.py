from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import audit_verify


class Command(BaseCommand):
    help = ("Verify the audit trail (审计日志防篡改校验): every chain's HMAC digests, and every head "
            "published by audit_publish_heads still present with the same digest.")

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="database alias to verify")

    def handle(self, *args, **options):
        reports = audit_verify(using=options["database"])
        bad = [r for r in reports if not r.ok]
        for r in reports:
            state = "OK" if r.ok else f"BROKEN at position {r.broken_at}" if r.broken_at else "BROKEN"
            detail = f" — {r.problem}" if r.problem else ""
            published = f", {r.published_checked} published head(s) matched" if r.published_checked else ""
            self.stdout.write(f"{r.chain}: {r.entries} entries{published}, {state}{detail}")
        if bad:
            raise CommandError(f"{len(bad)} audit chain(s) failed verification")
        self.stdout.write(self.style.SUCCESS("audit trail verified"))
