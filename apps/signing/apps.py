from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "apps.signing"
    label = "signing"

    def ready(self):
        from apps.signing import receivers  # noqa: F401
