from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """全国毕业去向登记系统 sync (C6): outbox, relay, client, comparison view, national export."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.registry"
    verbose_name = "全国毕业去向登记系统"
