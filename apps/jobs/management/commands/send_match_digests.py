from apps.core.management.periodic import PeriodicCommand
from apps.jobs.digest import send_match_digests


class Command(PeriodicCommand):
    help = ("Send the daily digest of new postings matching each graduate's job intention (at most one a day per "
            "graduate; run hourly from run_scheduler).")
    report = "{} digest(s) sent"

    def run(self, now):
        return send_match_digests(now=now)
