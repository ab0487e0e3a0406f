from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """举报 (C9): fraud reports and their outcome."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.reports"
    verbose_name = "举报"
