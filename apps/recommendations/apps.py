from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    """就业推荐表 (C10): the college's recommendation, issued as a verifiable PDF."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.recommendations"
    verbose_name = "就业推荐表"
