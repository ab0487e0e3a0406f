from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "apps.corrections"
    label = "corrections"
    verbose_name = "信息纠错"
