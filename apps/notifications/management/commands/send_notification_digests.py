from apps.core.management.periodic import PeriodicCommand
from apps.notifications import delivery


class Command(PeriodicCommand):
    help = delivery.send_notification_digests.__doc__.splitlines()[0]
    report = "{}"

    def run(self, now):
        return delivery.send_notification_digests(now=now)
