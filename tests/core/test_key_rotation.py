"""Rotating PII_ENCRYPTION_KEY: every encrypted column is re-encrypted in batches, the run
resumes after an interruption, the old key then opens nothing, and graduates still log in."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apps.audit.services import audit_verify
from apps.core import crypto
from apps.core.crypto import decrypt, encrypted_columns
from apps.graduates.models import Graduate
from tests import factories as f
from tests.signing.helpers import invite, make_ready


def _legacy_v1(plaintext: str, key: bytes) -> str:
    """A value as the platform stored it before key ids existed (existing installs)."""
    nonce = os.urandom(12)
    return base64.b64encode(b"\x01" + nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), None)).decode()


def _raw(model, field) -> list[str]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(field.column)} FROM {quote(model._meta.db_table)}")  # noqa: S608
        return [value for (value,) in cursor.fetchall() if value]


@pytest.fixture
def populated(world, settings):
    """A populated database whose personal data is under the old key."""
    old = settings.PII_ENCRYPTION_KEY
    for i in range(7):
        f.make_graduate(college=world.college, major=world.major, name=f"测试{i}", student_number=f"20230900{i:02d}",
                        phone=f"1390000{i:04d}")
    make_ready(world.graduate)
    invite(world.graduate, world.graduate_user)  # an invitation: its contact phone is encrypted too
    # one value in the first ciphertext layout, as an install upgraded from before rotation support holds it
    with connection.cursor() as cursor:
        cursor.execute("UPDATE graduates_graduate SET phone = %s WHERE id = %s",
                       [_legacy_v1("13955556666", old), world.classmate.pk])
    expected = {g.pk: (g.id_number, g.phone) for g in Graduate.objects.all()}
    assert expected[world.classmate.pk][1] == "13955556666"
    return world, old, expected


def _switch_to_new_key(settings, old):
    settings.PII_ENCRYPTION_KEY = os.urandom(32)
    settings.PII_ENCRYPTION_OLD_KEYS = [old]


def test_rotation_re_encrypts_every_column_and_the_old_key_opens_nothing(populated, settings, api_client):
    world, old, expected = populated
    _switch_to_new_key(settings, old)
    with pytest.raises(CommandError, match="still need rotation"):
        call_command("rotate_pii_key", "--check", verbosity=0)
    call_command("rotate_pii_key", batch_size=3, verbosity=0)
    call_command("rotate_pii_key", "--check", verbosity=0)

    settings.PII_ENCRYPTION_OLD_KEYS = []  # the operator drops the old key
    assert {g.pk: (g.id_number, g.phone) for g in Graduate.objects.all()} == expected
    columns = {f"{model._meta.label}.{field.name}" for model, field in encrypted_columns()}
    assert {"graduates.Graduate.id_number", "graduates.Graduate.phone", "signing.Invitation.contact_phone"} <= columns
    stored = [token for model, field in encrypted_columns() for token in _raw(model, field)]
    assert len(stored) == sum(1 for values in expected.values() for value in values if value) + 1  # + invitation
    for token in stored:
        assert decrypt(token)  # opens with the new key alone
        with pytest.raises((InvalidTag, ValueError)):
            decrypt(token, keys=[old])

    g = world.graduate
    response = api_client.post("/auth/graduate/login", {"school_id": world.school.pk, "name": g.name,
                                                        "student_number": g.student_number, "id_number": g.id_number})
    assert response.status_code == 200, response.content
    assert all(r.ok for r in audit_verify())


def test_an_interrupted_rotation_resumes_where_it_stopped(populated, settings, monkeypatch):
    world, old, expected = populated
    _switch_to_new_key(settings, old)
    real_encrypt, calls = crypto.encrypt, {"n": 0}

    def dying_encrypt(plaintext):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # the operator's ^C, or the worker killed, in the second batch
        return real_encrypt(plaintext)

    monkeypatch.setattr(crypto, "encrypt", dying_encrypt)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_pii_key", batch_size=3, verbosity=0)
    monkeypatch.setattr(crypto, "encrypt", real_encrypt)
    current = crypto.key_id(settings.PII_ENCRYPTION_KEY)
    done = [t for t in _raw(Graduate, Graduate._meta.get_field("id_number")) if crypto.ciphertext_key_id(t) == current]
    assert len(done) == 3  # the first batch committed, the second rolled back whole

    call_command("rotate_pii_key", batch_size=3, verbosity=0)
    settings.PII_ENCRYPTION_OLD_KEYS = []
    assert {g.pk: (g.id_number, g.phone) for g in Graduate.objects.all()} == expected
    call_command("rotate_pii_key", "--check", verbosity=0)


def test_without_the_old_key_the_rotation_stops_and_changes_nothing(populated, settings):
    world, old, expected = populated
    settings.PII_ENCRYPTION_KEY = os.urandom(32)  # old key forgotten in PII_ENCRYPTION_OLD_KEYS
    before = _raw(Graduate, Graduate._meta.get_field("id_number"))
    with pytest.raises(CommandError, match="PII_ENCRYPTION_OLD_KEYS"):
        call_command("rotate_pii_key", batch_size=100, verbosity=0)
    assert _raw(Graduate, Graduate._meta.get_field("id_number")) == before
