from django.apps import AppConfig


class EmployersConfig(AppConfig):
    """用人单位账号 (C9): registration, sub-accounts, verification, suspension."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.employers"
    verbose_name = "用人单位账号"
