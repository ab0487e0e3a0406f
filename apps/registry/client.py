"""The platform's one door to the national registry (全国毕业去向登记系统).

The registry's real interface is not public: everything here speaks ``docs/registry-protocol.md``
(implemented by the stand-in in ``registry_standin/``). Callers (the relay, the comparison view)
see only ``RegistryClient`` and two exceptions:

- ``RegistryUnavailable`` — try again later (5xx, a timeout, a refused connection, an answer that
  is not the protocol's JSON, and a refused secret: a configuration error, retried but visible in
  the entry's last error);
- ``RegistryRejected`` — the registry refused the record itself (422 field errors, 409 out of
  order): retrying the same payload cannot help.

Messages are short Chinese texts without personal data: the relay stores them as an entry's last
error and staff read them in the sync monitor.
"""
from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

MAX_ANSWER_BYTES = 2 * 1024 * 1024  # a record is a few KB; anything larger is not the protocol


class RegistryUnavailable(Exception):
    """Transient: the relay keeps the entry and retries with the same idempotency key."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class RegistryRejected(Exception):
    """The registry refused the record (field → Chinese reason); not retried."""

    def __init__(self, errors: dict[str, str], *, status: int | None = None):
        self.errors = dict(errors)
        self.status = status
        detail = "；".join(f"{field}：{reason}" for field, reason in self.errors.items())
        super().__init__(f"登记系统拒收：{detail}" if detail else "登记系统拒收")


@dataclass(frozen=True)
class DeliveryReceipt:
    version: int
    sequence: int
    verification_code: str  # 核验编号, '' until the record is complete
    duplicate: bool  # the registry had this idempotency key already (a replay, nothing stored)


@dataclass(frozen=True)
class RegistryCopy:
    graduate_key: str
    version: int
    sequence: int
    verification_code: str
    updated_at: datetime
    record: dict[str, str]


class RegistryClient(Protocol):
    def deliver(self, *, graduate_key: str, school_code: str, cohort: int, sequence: int,
                idempotency_key: str, record: dict) -> DeliveryReceipt: ...

    def fetch(self, *, graduate_key: str) -> RegistryCopy | None: ...


class HttpRegistryClient:
    """``RegistryClient`` over HTTP (stdlib urllib: one short connection per call, so a relay
    process needs no pool and a dead peer never leaves a half-open keep-alive socket)."""

    def __init__(self, *, base_url: str, secret: str, timeout: float):
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            # urllib would also open file: and other schemes; REGISTRY_URL must be an address
            raise ValueError(f"REGISTRY_URL must be an http(s) address, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = timeout

    def deliver(self, *, graduate_key: str, school_code: str, cohort: int, sequence: int,
                idempotency_key: str, record: dict) -> DeliveryReceipt:
        body = {"graduate_key": graduate_key, "school_code": school_code, "cohort": cohort,
                "sequence": sequence, "record": record}
        status, answer = self._call("POST", "/api/v1/records", body=body,
                                    headers={"Idempotency-Key": idempotency_key})
        if status != 200:
            self._refuse(status, answer)
        try:
            return DeliveryReceipt(
                version=_int(answer["version"]), sequence=_int(answer["sequence"]),
                verification_code=str(answer.get("verification_code") or ""),
                duplicate=bool(answer.get("duplicate", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RegistryUnavailable("登记系统返回了无法识别的内容", status=status) from exc

    def fetch(self, *, graduate_key: str) -> RegistryCopy | None:
        path = "/api/v1/records/" + urllib.parse.quote(graduate_key, safe="")
        status, answer = self._call("GET", path)
        if status == 404:
            return None
        if status != 200:
            self._refuse(status, answer)
        try:
            record = answer["record"]
            if not isinstance(record, dict):
                raise TypeError("record")
            updated_at = datetime.fromisoformat(answer["updated_at"])
            if updated_at.tzinfo is None:
                updated_at = updated_at.replace(tzinfo=UTC)
            return RegistryCopy(
                graduate_key=str(answer["graduate_key"]), version=_int(answer["version"]),
                sequence=_int(answer["sequence"]),
                verification_code=str(answer.get("verification_code") or ""),
                updated_at=updated_at, record={str(k): str(v) for k, v in record.items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RegistryUnavailable("登记系统返回了无法识别的内容", status=status) from exc

    # --- transport -------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, body: dict | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, dict]:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)  # noqa: S310 - http(s) only
        request.add_header("Authorization", f"Bearer {self.secret}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json; charset=utf-8")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                status, raw = response.status, response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:  # an answer with a 4xx/5xx status
            status = error.code
            try:
                raw = error.read(MAX_ANSWER_BYTES + 1)
            except (OSError, http.client.HTTPException):
                raw = b""
            finally:
                error.close()
        except urllib.error.URLError as error:
            raise RegistryUnavailable(_transport_message(error.reason)) from error
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise RegistryUnavailable(_transport_message(error)) from error
        if status == 401 or status == 403:
            raise RegistryUnavailable("登记系统认证失败", status=status)
        if status >= 500 or status in (408, 429):
            raise RegistryUnavailable(f"登记系统暂时不可用（{status}）", status=status)
        if len(raw) > MAX_ANSWER_BYTES:
            raise RegistryUnavailable("登记系统返回了无法识别的内容", status=status)
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise RegistryUnavailable("登记系统返回了无法识别的内容", status=status) from exc
        if not isinstance(answer, dict):
            raise RegistryUnavailable("登记系统返回了无法识别的内容", status=status)
        return status, answer

    @staticmethod
    def _refuse(status: int, answer: dict):
        errors = answer.get("errors")
        if isinstance(errors, dict) and errors:
            raise RegistryRejected({str(k): str(v) for k, v in errors.items()}, status=status)
        raise RegistryRejected({"请求": f"登记系统拒绝了请求（{status}）"}, status=status)


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("not an int")
    return value


def _transport_message(reason) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return "登记系统响应超时"
    if isinstance(reason, ConnectionRefusedError):
        return "登记系统无法连接（连接被拒绝）"
    if isinstance(reason, ConnectionError | http.client.HTTPException):
        return "登记系统连接中断"
    if isinstance(reason, socket.gaierror):
        return "登记系统地址无法解析"
    return "登记系统无法连接"


def get_client() -> RegistryClient:
    """The configured client. ``settings.REGISTRY_CLIENT`` (a dotted path, for tests) names a
    class or factory called without arguments, or an object that already is a client; unset
    means the HTTP client for ``REGISTRY_URL``."""
    dotted = getattr(settings, "REGISTRY_CLIENT", "")
    if dotted:
        target = import_string(dotted)
        if isinstance(target, type) or not hasattr(target, "deliver"):
            return target()
        return target
    return HttpRegistryClient(base_url=settings.REGISTRY_URL, secret=settings.REGISTRY_SECRET,
                              timeout=float(settings.REGISTRY_TIMEOUT_SECONDS))
