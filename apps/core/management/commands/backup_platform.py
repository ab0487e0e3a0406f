from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database (SQLite: online backup API; PostgreSQL: pg_dump -Fc) and the local media "
            "files into a new directory with a manifest (数据备份). Keys are not included: back them up apart.")

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.VAR_DIR / "backups"),
                            help="directory that receives platform-backup-<time>/ (default var/backups)")
        parser.add_argument("--database", default="default")
        parser.add_argument("--no-media", action="store_true", help="database only")

    def handle(self, *args, output, database, no_media, **options):
        try:
            path = backup(Path(output), using=database, include_media=not no_media)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"backup written to {path}"))
