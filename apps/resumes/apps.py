from django.apps import AppConfig


class ResumesConfig(AppConfig):
    """简历维护 (C8): the structured resume and its PDF."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.resumes"
    verbose_name = "简历"
