from django.apps import AppConfig


class GraduatesConfig(AppConfig):
    name = "apps.graduates"
    label = "graduates"
