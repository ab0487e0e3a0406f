"""Backups (standing test): a backup restored into an EMPTY database holds every graduate,
agreement and audit entry, the media files come back, and the audit chain still verifies."""

from __future__ import annotations

import copy
import json

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import load_backend

from apps.audit.models import AuditEntry
from apps.audit.services import audit_verify
from apps.graduates.models import Graduate
from apps.signing.models import Agreement
from tests import factories as f
from tests.signing.helpers import PIN, accept, invite, make_ready

pytestmark = pytest.mark.django_db(transaction=True)  # the backup reads committed data, like in production


@pytest.fixture
def media(settings, tmp_path):
    return f.use_temporary_media(settings, tmp_path)


def _populate(world):
    agreements = []
    for graduate, user in ((world.graduate, world.graduate_user), (world.stranger, world.stranger_user)):
        graduate.signing_pin_hash = make_password(PIN)
        make_ready(graduate)
        invitation, _ = invite(graduate, user)
        agreements.append(accept(user, invitation))
    return agreements


def _snapshot(using):
    return {
        "graduates": sorted(Graduate.objects.using(using).values_list("pk", "student_number", "id_number_hash")),
        "id_numbers": sorted(g.id_number for g in Graduate.objects.using(using).all()),
        "agreements": sorted(Agreement.objects.using(using).values_list("number", "graduate_id", "status")),
        "audit": sorted(AuditEntry.objects.using(using).values_list("chain", "position", "entry_hash")),
    }


@pytest.fixture
def restored_alias():
    """A connection under the alias "restored" to the restore target. Set as a connection
    object, not a settings entry: Django's test isolation forbids configured aliases that
    the test did not declare, and the target is no test database to create or flush."""
    made = []

    def make(name):
        settings_dict = copy.deepcopy(connections["default"].settings_dict)
        settings_dict["NAME"] = name
        connections["restored"] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "restored")
        made.append("restored")
        return "restored"

    yield make
    for alias in made:
        connections[alias].close()
        del connections[alias]


def _backup_and_restore(world, media, tmp_path, alias):
    _populate(world)
    files = sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file())
    assert files, "the agreement's certificate image is stored in MEDIA_ROOT"
    before = _snapshot("default")
    assert len(before["agreements"]) == 2 and before["audit"]

    call_command("backup_platform", output=str(tmp_path / "backups"), verbosity=0)
    (backup_dir,) = (tmp_path / "backups").glob("platform-backup-*")
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["counts"] == {"graduates": len(before["graduates"]), "agreements": 2,
                                  "audit_entries": len(before["audit"])}
    assert not list((tmp_path / "backups").glob(".partial-*"))

    restored_media = tmp_path / "restored-media"
    call_command("restore_platform", str(backup_dir), database=alias, media_root=str(restored_media), verbosity=0)
    assert _snapshot(alias) == before
    assert all(r.ok for r in audit_verify(using=alias)) and audit_verify(using=alias)
    for name in files:
        assert (restored_media / name).read_bytes() == (media / name).read_bytes()

    # A second restore must not overwrite what is now there.
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore_platform", str(backup_dir), database=alias, media_root=str(tmp_path / "elsewhere"),
                     verbosity=0)
    return backup_dir


def test_sqlite_backup_restores_into_an_empty_database(world, media, tmp_path, restored_alias):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite variant")
    alias = restored_alias(str(tmp_path / "restored.sqlite3"))
    backup_dir = _backup_and_restore(world, media, tmp_path, alias)

    # A damaged backup file is refused before anything is written.
    with (backup_dir / "database.sqlite3").open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\xff\xff")
    with pytest.raises(CommandError, match="损坏"):
        call_command("restore_platform", str(backup_dir), database=alias, verbosity=0)


@pytest.mark.postgres_only
def test_postgresql_backup_restores_into_a_fresh_database(world, media, tmp_path, restored_alias):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restored"
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        alias = restored_alias(name)
        _backup_and_restore(world, media, tmp_path, alias)
    finally:
        connections["restored"].close()
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
