from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import audit_verify
from apps.core.backup import BackupError, check_restored, restore


class Command(BaseCommand):
    help = ("Restore a backup made by backup_platform into an EMPTY database and an empty media directory "
            "(数据恢复), then check that every counted row and every audit chain is back and verifies.")

    def add_arguments(self, parser):
        parser.add_argument("backup", help="a platform-backup-<time>/ directory")
        parser.add_argument("--database", default="default", help="alias of the (empty) target database")
        parser.add_argument("--media-root", default=None, help="target for the media files (default MEDIA_ROOT)")

    def handle(self, *args, backup, database, media_root, **options):
        try:
            manifest = restore(Path(backup), using=database, media_root=Path(media_root) if media_root else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {manifest['engine']} backup of {manifest['created_at']}: {manifest['counts']}")
        problems = check_restored(manifest, using=database)
        broken = [r for r in audit_verify(using=database) if not r.ok]
        problems += [f"审计链 {r.chain} 校验失败：{r.problem}" for r in broken]
        if problems:
            raise CommandError("恢复后检查未通过：\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS("restore checked: every counted row is back and the audit trail verifies"))
