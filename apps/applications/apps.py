from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    """投递 (C9): applications and their statuses."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.applications"
    verbose_name = "投递"
