from django.apps import AppConfig


class InfoSessionsConfig(AppConfig):
    """宣讲会 (C9): rooms, employers' session requests, allocation, sign-ups, check-in."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.infosessions"
    verbose_name = "宣讲会"
