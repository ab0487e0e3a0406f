from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    """就业统计 (C11): 毕业去向落实率 and its breakdowns, daily snapshots, frozen reports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.statistics"
    verbose_name = "就业统计"
