from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.organisations.demo import DEMO_PASSWORD, named_logins, seed_demo


class Command(BaseCommand):
    help = "Create the demo province, schools, graduates, staff, employer and notices (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--graduates-per-school", type=int, default=200)

    def handle(self, *args, graduates_per_school=200, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with PLATFORM_PRODUCTION=1")
        created = seed_demo(graduates_per_school)
        if not options.get("verbosity", 1):
            return
        self.stdout.write("demo data created" if created else "demo data already present")
        self.stdout.write(f"staff and employer password: {DEMO_PASSWORD}")
        self.stdout.write(f"{len(named_logins())} named demo graduates: see README.md for their login data")
