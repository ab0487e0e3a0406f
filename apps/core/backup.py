"""Backup and restore of the platform (数据备份与恢复): the database and the local media files.

- SQLite: sqlite3's online backup API (a consistent copy of a live WAL database; a plain
  file copy can miss the -wal file or catch it half written).
- PostgreSQL: `pg_dump -Fc`, restored with `pg_restore` into an empty database.
- Media: a tar of MEDIA_ROOT when files are stored locally; with S3 the bucket's own
  versioning / replication is the backup (docs/operations.md), and the manifest says so.

A backup is a directory with a manifest (counts, audit chain heads, file checksums). It is
written under a temporary name and renamed when complete, so an interrupted run never
leaves something that looks like a backup. Keys (PII_*, AUDIT_HMAC_KEY, the signing key
directory) are deliberately NOT included: they are backed up separately.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore with fixed argument lists, no shell
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the operator."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor(using: str) -> str:
    return connections[using].vendor


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"找不到 {name}：请安装与服务器版本一致的 PostgreSQL 客户端工具")
    return path


def _pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _local_media() -> bool:
    backend = settings.STORAGES["default"]["BACKEND"]
    return backend == "django.core.files.storage.FileSystemStorage"


def _media_root() -> Path:
    return Path(settings.STORAGES["default"].get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT)


def inventory(using: str = "default") -> dict:
    """What a restore must find again: row counts and every audit chain head."""
    from apps.audit.models import AuditChainHead, AuditEntry
    from apps.graduates.models import Graduate
    from apps.signing.models import Agreement

    return {
        "counts": {
            "graduates": Graduate.objects.using(using).count(),
            "agreements": Agreement.objects.using(using).count(),
            "audit_entries": AuditEntry.objects.using(using).count(),
        },
        "audit_heads": {h.chain: [h.length, h.last_hash] for h in AuditChainHead.objects.using(using).order_by("chain")},
    }


def backup(output_dir: Path, *, using: str = "default", include_media: bool = True) -> Path:
    """Write one complete backup under output_dir and return its directory."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    output_dir.mkdir(parents=True, exist_ok=True)
    final = output_dir / f"platform-backup-{stamp}"
    work = output_dir / f".partial-{stamp}"
    work.mkdir()
    try:
        connection = connections[using]
        vendor = _vendor(using)
        before = inventory(using)
        if vendor == "sqlite":
            database_file = "database.sqlite3"
            source = sqlite3.connect(str(connection.settings_dict["NAME"]))
            target = sqlite3.connect(str(work / database_file))
            try:
                source.backup(target)  # online, consistent, WAL included
            finally:
                target.close()
                source.close()
        elif vendor == "postgresql":
            database_file = "database.pgdump"
            args, env = _pg_args(connection.settings_dict)
            result = subprocess.run(  # noqa: S603 - fixed argument list
                [_pg_tool("pg_dump"), "--format=custom", "--file", str(work / database_file), *args],
                env=env, capture_output=True, text=True, check=False,
            )
            if result.returncode:
                raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
        else:
            raise BackupError(f"不支持的数据库：{vendor}")
        files = {database_file: None}
        media = "none"
        if include_media and _local_media():
            media = "media.tar"
            root = _media_root()
            with tarfile.open(work / media, "w") as archive:
                if root.exists():
                    archive.add(root, arcname=".")
            files[media] = None
        elif include_media:
            media = "s3: use bucket versioning / replication (docs/operations.md)"
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": vendor,
            "database_file": database_file,
            "media": media,
            # taken before the copy: rows added during the copy only make the copy larger
            **before,
            "files": {name: _sha256(work / name) for name in files},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _database_is_empty(using: str) -> bool:
    connection = connections[using]
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        if not name.exists():
            return True
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore(backup_dir: Path, *, using: str = "default", media_root: Path | None = None) -> dict:
    """Restore a backup into an EMPTY database (and an empty media directory). Returns the
    manifest. Refuses, changing nothing, if either target already holds data."""
    manifest_path = backup_dir / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{backup_dir} 不是完整的备份（缺少 {MANIFEST}）")
    manifest = json.loads(manifest_path.read_text())
    for name, expected in manifest["files"].items():
        if not (backup_dir / name).exists() or _sha256(backup_dir / name) != expected:
            raise BackupError(f"备份文件 {name} 缺失或已损坏（校验和不符）")
    connection = connections[using]
    if connection.vendor != manifest["engine"]:
        raise BackupError(f"备份来自 {manifest['engine']}，目标数据库是 {connection.vendor}")
    if not _database_is_empty(using):
        raise BackupError("目标数据库不是空的：恢复只写入新建的空数据库，不覆盖现有数据")
    media_target = Path(media_root) if media_root else _media_root()
    restore_media = manifest["media"] == "media.tar"
    if restore_media and media_target.exists() and any(media_target.iterdir()):
        raise BackupError(f"目标文件目录 {media_target} 不是空的：请恢复到空目录")

    source_file = backup_dir / manifest["database_file"]
    connection.close()
    if manifest["engine"] == "sqlite":
        source = sqlite3.connect(str(source_file))
        target = sqlite3.connect(str(connection.settings_dict["NAME"]))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        args, env = _pg_args(connection.settings_dict)
        result = subprocess.run(  # noqa: S603 - fixed argument list
            [_pg_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
             *args, str(source_file)],
            env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode:
            raise BackupError(f"pg_restore 失败：{result.stderr.strip()}")
    if restore_media:
        media_target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(backup_dir / "media.tar") as archive:
            archive.extractall(media_target, filter="data")  # no absolute paths, links out or devices
    return manifest


def check_restored(manifest: dict, using: str = "default") -> list[str]:
    """Differences between what the backup recorded and what the restored database holds."""
    found = inventory(using)
    problems = [f"{name}: 备份中 {count} 条，恢复后 {found['counts'].get(name)} 条"
                for name, count in manifest["counts"].items() if found["counts"].get(name, 0) < count]
    from apps.audit.models import AuditEntry

    for chain, (length, last_hash) in manifest["audit_heads"].items():
        entry = AuditEntry.objects.using(using).filter(chain=chain, position=length).first() if length else None
        if length and (entry is None or entry.entry_hash != last_hash):
            problems.append(f"审计链 {chain}：备份时的第 {length} 条记录恢复后不存在或不同")
    return problems
