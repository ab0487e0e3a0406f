from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import audit_publish_heads


class Command(BaseCommand):
    help = ("Publish every audit chain's head (发布审计链头), daily: one HMAC-signed JSON line per chain "
            "appended to AUDIT_HEADS_DIR/audit-heads.jsonl and logged. Ship that file or the log off the "
            "database host; audit_verify checks the chains against it.")

    def handle(self, *args, **options):
        published, refused = audit_publish_heads()
        for record in published:
            self.stdout.write(f"{record['chain']}: seq {record['seq']} {record['digest']}")
        self.stdout.write(self.style.SUCCESS(
            f"{len(published)} head(s) published to {settings.AUDIT_HEADS_DIR} (unchanged chains skipped)"))
        if refused:
            raise CommandError(f"not published, the chain does not verify from its last published head "
                               f"(run audit_verify): {', '.join(refused)}")
