from apps.core.management.periodic import PeriodicCommand
from apps.notifications import delivery


class Command(PeriodicCommand):
    help = delivery.deliver_notifications.__doc__.splitlines()[0]
    report = "{}"

    def run(self, now):
        return delivery.deliver_notifications(now=now)
