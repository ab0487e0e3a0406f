"""Personal data at rest: AES-GCM encryption plus a keyed hash for exact-match lookups.

The keyed hash (HMAC-SHA256) lets the login find a graduate by ID number with one
indexed query without storing the number in clear text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

# Ciphertext layouts (base64 of):
#   v1  0x01 | nonce(12) | sealed                — before key rotation existed; the key is found by trial
#   v2  0x02 | key id(4) | nonce(12) | sealed    — names its key, so rotation can tell what is left to do
_V1 = b"\x01"
_V2 = b"\x02"


def key_id(key: bytes) -> bytes:
    """A short public name for a key (not a usable digest of it)."""
    return hashlib.sha256(b"pii-key-id:" + key).digest()[:4]


def _keys() -> list[bytes]:
    """The current key first, then retired ones still accepted for reading during a rotation."""
    return [settings.PII_ENCRYPTION_KEY, *getattr(settings, "PII_ENCRYPTION_OLD_KEYS", [])]


def encrypt(plaintext: str) -> str:
    key = settings.PII_ENCRYPTION_KEY
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return base64.b64encode(_V2 + key_id(key) + nonce + sealed).decode()


def ciphertext_key_id(token: str) -> bytes | None:
    """The key id a stored value names (None for a v1 value, which names none)."""
    raw = base64.b64decode(token)
    return raw[1:5] if raw[:1] == _V2 else None


def decrypt(token: str, keys: list[bytes] | None = None) -> str:
    """Clear text of a stored value; `keys` defaults to the current key plus the retired ones."""
    raw = base64.b64decode(token)
    candidates = _keys() if keys is None else keys
    if raw[:1] == _V2:
        kid, body = raw[1:5], raw[5:]
        candidates = [key for key in candidates if key_id(key) == kid]
    elif raw[:1] == _V1:
        body = raw[1:]
    else:
        raise ValueError("unknown ciphertext version")
    if not candidates:
        raise ValueError("ciphertext was sealed with a key that is not configured")
    for key in candidates[:-1]:
        try:
            return AESGCM(key).decrypt(body[:12], body[12:], None).decode()
        except InvalidTag:
            continue
    return AESGCM(candidates[-1]).decrypt(body[:12], body[12:], None).decode()


def keyed_hash(value: str) -> str:
    return hmac.new(settings.PII_HASH_KEY, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores AES-GCM ciphertext; Python side sees the clear text. Not filterable:
    query by the companion keyed-hash column instead."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        return encrypt(str(value))


def token_digest(token: str) -> str:
    """What is stored for a bearer secret (API token, follow link, print secret): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- Key rotation (密钥轮换) ---------------------------------------------------------------


def encrypted_columns() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every EncryptedTextField of every installed model: a new one is rotated without
    anyone remembering to list it."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def reencrypt_batch(model, field, *, after_pk, batch_size: int, using: str = "default") -> tuple[object, int, int]:
    """Re-encrypt with the current key the next `batch_size` non-empty values of one column
    after primary key `after_pk`, in one transaction. Values already under the current key
    are left alone, which is what makes a rerun resume. Each row is written only if it still
    holds the ciphertext that was read (compare-and-set): a value the application changed in
    the meantime was written with the current key already.
    Returns (last primary key seen or None when the column is done, rewritten, already current)."""
    from django.db import connections, transaction

    connection = connections[using]
    quote = connection.ops.quote_name
    table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
    current = key_id(settings.PII_ENCRYPTION_KEY)
    rewritten = already = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        where = f"{column} IS NOT NULL AND {column} <> ''" + (f" AND {pk} > %s" if after_pk is not None else "")
        params = [after_pk] if after_pk is not None else []
        cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {where} ORDER BY {pk} LIMIT %s",  # noqa: S608 - quoted identifiers
                       [*params, batch_size])
        rows = cursor.fetchall()
        for row_pk, token in rows:
            if ciphertext_key_id(token) == current:
                already += 1
                continue
            fresh = encrypt(decrypt(token))
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                           [fresh, row_pk, token])
            rewritten += cursor.rowcount
    return (rows[-1][0] if len(rows) == batch_size else None), rewritten, already
