"""Re-encrypt every personal-data column with the current PII_ENCRYPTION_KEY (个人信息加密密钥轮换).

Procedure (docs/operations.md): set PII_ENCRYPTION_KEY to the new key and
PII_ENCRYPTION_OLD_KEYS to the old one, restart every process, run this command (batches
of rows, each in its own transaction; rerun it after an interruption and it continues
where it stopped), then run it with --check and drop the old key.
PII_HASH_KEY (the keyed lookup hashes) is not rotated by this command.
"""

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import audit_record
from apps.core.crypto import ciphertext_key_id, encrypted_columns, key_id, reencrypt_batch


class Command(BaseCommand):
    help = "Re-encrypt ID numbers, phones and other encrypted columns with the current PII_ENCRYPTION_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--check", action="store_true",
                            help="only count values not yet under the current key; fails if any remain")
        parser.add_argument("--database", default="default")

    def handle(self, *args, batch_size, check, database, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        columns = encrypted_columns()
        if check:
            return self._check(columns, database)
        total_rewritten = 0
        for model, field in columns:
            label = f"{model._meta.label}.{field.name}"
            after, rewritten, already = None, 0, 0
            while True:
                try:
                    after, done, current = reencrypt_batch(model, field, after_pk=after, batch_size=batch_size,
                                                           using=database)
                except (ValueError, InvalidTag) as exc:  # this batch rolled back; earlier ones stay done
                    raise CommandError(f"{label}: a value opens with none of the configured keys; "
                                       "is the old key in PII_ENCRYPTION_OLD_KEYS?") from exc
                rewritten, already = rewritten + done, already + current
                if after is None:
                    break
            total_rewritten += rewritten
            self.stdout.write(f"{label}: {rewritten} re-encrypted, {already} already under the current key")
        if total_rewritten:
            audit_record(actor=None, action="pii_key.rotated", target=None,
                         summary=f"个人信息加密密钥轮换：{total_rewritten} 个字段值已用新密钥重新加密")
        self.stdout.write(self.style.SUCCESS(
            f"done: {total_rewritten} value(s) re-encrypted with key {key_id(settings.PII_ENCRYPTION_KEY).hex()}; "
            "run with --check, then remove the old key from PII_ENCRYPTION_OLD_KEYS"))

    def _check(self, columns, database):
        current = key_id(settings.PII_ENCRYPTION_KEY)
        remaining = 0
        for model, field in columns:
            values = (model._default_manager.using(database).exclude(**{field.attname: ""})
                      .exclude(**{f"{field.attname}__isnull": True}))
            stale = sum(1 for token in _raw_values(values, field) if ciphertext_key_id(token) != current)
            remaining += stale
            self.stdout.write(f"{model._meta.label}.{field.name}: {stale} value(s) not under the current key")
        if remaining:
            raise CommandError(f"{remaining} value(s) still need rotation: run rotate_pii_key")
        self.stdout.write(self.style.SUCCESS("every encrypted value is under the current key"))


def _raw_values(queryset, field):
    """The stored ciphertexts, bypassing the field's decryption."""
    from django.db.models import F, TextField
    from django.db.models.functions import Cast

    return queryset.annotate(_raw=Cast(F(field.attname), output_field=TextField())).values_list("_raw", flat=True).iterator()
