from django.core.management.base import BaseCommand

from apps.jobs.tasks import expire_postings


class Command(BaseCommand):
    help = "Close published postings past their deadline (已过截止日期) and notify the employers (hourly)."

    def handle(self, *args, **options):
        count = expire_postings()
        if options.get("verbosity", 1):
            self.stdout.write(f"{count} posting(s) expired")
