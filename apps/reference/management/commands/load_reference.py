from pathlib import Path

from django.core.management.base import BaseCommand

from apps.reference.loading import load_all


class Command(BaseCommand):
    help = "Load (or replace) the official code tables and the 2025 division table."

    def add_arguments(self, parser):
        parser.add_argument("--codes-dir", type=Path, default=None, help="directory of code CSVs")

    def handle(self, *args, codes_dir=None, **options):
        counts = load_all(codes_dir)
        if options.get("verbosity", 1) > 0:
            for name, n in counts.items():
                self.stdout.write(f"{name}: {n}")
