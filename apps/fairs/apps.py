from django.apps import AppConfig


class FairsConfig(AppConfig):
    """校园招聘会 / 双选会 (C9): fairs, booths with a waiting list, interest, QR check-in."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.fairs"
    verbose_name = "招聘会"
