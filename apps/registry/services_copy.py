"""Reading back what the national registry holds for a graduate (全国毕业去向登记系统数据查看).

``registry_copy_refresh`` asks the registry with a short timeout (a person is waiting for the
page) and keeps the answer in ``GraduateSync`` (registry_copy, registry_version,
copy_fetched_at), so when the registry cannot be reached the page shows the last copy with its
time instead of an error. A read changes nothing of the graduate's record: no audit entry.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.graduates.models import Graduate
from apps.registry.client import RegistryClient, RegistryRejected, RegistryUnavailable, get_client
from apps.registry.models import GraduateSync
from apps.registry.national import graduate_key
from apps.registry.presenters import COPY_EMPTY, COPY_FRESH, COPY_STALE, COPY_UNREACHABLE

logger = logging.getLogger(__name__)

# a page waits at most this long for the registry (the relay uses REGISTRY_TIMEOUT_SECONDS)
VIEW_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CopyResult:
    status: str  # presenters.COPY_FRESH / COPY_STALE / COPY_UNREACHABLE / COPY_EMPTY
    record: dict[str, str] | None  # the registry's record shown (None: nothing to show)
    version: int | None
    fetched_at: datetime | None
    verification_code: str
    error: str = ""  # why the registry could not be read (Chinese, no personal data)


def _view_client() -> RegistryClient:
    client = get_client()
    timeout = float(getattr(settings, "REGISTRY_VIEW_TIMEOUT_SECONDS", VIEW_TIMEOUT_SECONDS))
    if hasattr(client, "timeout"):  # the HTTP client: a shorter wait than the relay's
        client.timeout = min(float(client.timeout), timeout)
    return client


def _stored(sync: GraduateSync | None, status: str, error: str) -> CopyResult:
    if sync is not None and sync.registry_copy and sync.copy_fetched_at is not None:
        return CopyResult(COPY_STALE, json.loads(sync.registry_copy), sync.registry_version, sync.copy_fetched_at,
                          sync.verification_code, error)
    return CopyResult(status, None, None, None, sync.verification_code if sync else "", error)


def registry_copy_refresh(*, actor, graduate: Graduate, client: RegistryClient | None = None,
                          now: datetime | None = None) -> CopyResult:
    """Read the registry's record of ``graduate`` (whom ``actor`` may see: the caller fetched it
    through ``visible_to``) and keep it; never raises for an unreachable registry."""
    now = now or timezone.now()
    client = client or _view_client()
    try:
        copy = client.fetch(graduate_key=graduate_key(graduate))
    except (RegistryUnavailable, RegistryRejected) as exc:
        # the message names no person (client.py): safe to log
        logger.info("registry copy not read for graduate %s: %s", graduate.pk, exc)
        return _stored(GraduateSync.objects.filter(graduate_id=graduate.pk).first(), COPY_UNREACHABLE, str(exc))
    if copy is None:
        sync = GraduateSync.objects.filter(graduate_id=graduate.pk).first()
        return CopyResult(COPY_EMPTY, None, None, now, sync.verification_code if sync else "")
    with transaction.atomic():
        sync, _ = GraduateSync.objects.select_for_update().get_or_create(
            graduate_id=graduate.pk, defaults={"school_id": graduate.school_id, "college_id": graduate.college_id})
        # an older answer (a slow read racing a newer one) never replaces a newer copy
        if sync.registry_version is None or copy.version >= sync.registry_version:
            sync.registry_copy = json.dumps(copy.record, ensure_ascii=False)
            sync.registry_version = copy.version
            sync.copy_fetched_at = now
            fields = ["registry_copy", "registry_version", "copy_fetched_at"]
            if copy.verification_code and copy.verification_code != sync.verification_code:
                sync.verification_code = copy.verification_code
                fields.append("verification_code")
            sync.save(update_fields=fields)
    return CopyResult(COPY_FRESH, copy.record, copy.version, now, copy.verification_code or sync.verification_code)
