from django.apps import AppConfig


class JobsConfig(AppConfig):
    """职位 (C9): postings, review, search, favourites; 求职意向职位 (C8)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.jobs"
    verbose_name = "职位"
