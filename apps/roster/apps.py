from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "apps.roster"
    label = "roster"
