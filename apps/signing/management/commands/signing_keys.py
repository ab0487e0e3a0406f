from django.core.management.base import BaseCommand

from apps.signing.documents import ensure_platform_keys


class Command(BaseCommand):
    help = "Create the platform's PDF signing key and self-signed certificate (once)."

    def handle(self, *args, **options):
        key, cert = ensure_platform_keys()
        if options.get("verbosity", 1):
            self.stdout.write(f"signing key: {key}\ncertificate: {cert}")
