from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """The staff workspace (C11): one inbox over every review queue, staff accounts, the audit
    viewer."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.backoffice"
    verbose_name = "工作台"
