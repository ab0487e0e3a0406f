"""Personal data at rest: AES-GCM encryption plus a keyed hash for exact-match lookups.

The keyed hash (HMAC-SHA256) lets the login find a graduate by ID number with one
indexed query without storing the number in clear text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

_VERSION = b"\x01"


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(settings.PII_ENCRYPTION_KEY).encrypt(nonce, plaintext.encode(), None)
    return base64.b64encode(_VERSION + nonce + sealed).decode()


def decrypt(token: str) -> str:
    raw = base64.b64decode(token)
    if raw[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    return AESGCM(settings.PII_ENCRYPTION_KEY).decrypt(raw[1:13], raw[13:], None).decode()


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
