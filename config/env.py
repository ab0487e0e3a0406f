"""Typed settings from environment variables that fail loudly on a wrong value."""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def env_key32(name: str, fallback: str | None) -> bytes:
    """A 32-byte key given as base64 in the environment (or a development fallback)."""
    raw = os.environ.get(name, fallback)
    if raw is None:
        raise ImproperlyConfigured(f"{name} is required in production (32 bytes, base64)")
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must decode to 32 bytes, got {len(key)}")
    return key


def env_key32_list(name: str) -> list[bytes]:
    """Comma-separated 32-byte base64 keys (e.g. retired keys kept for reading only)."""
    return [env_key32(f"{name}[{i}]", item) for i, item in enumerate(env_list(name, []))]


def _new_key32() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


_DEV_SECRET_MAKERS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "PII_ENCRYPTION_KEY": _new_key32,
    "PII_HASH_KEY": _new_key32,
    "AUDIT_HMAC_KEY": _new_key32,
}


def development_secrets(path: Path) -> dict[str, str]:
    """Generated once per checkout for the embedded default; never used in production.
    A key added later is filled into an existing file (under a lock: the web server and
    the worker start together and must agree on it)."""
    if path.exists():
        values = json.loads(path.read_text())
        if _DEV_SECRET_MAKERS.keys() <= values.keys():
            return values
    path.parent.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        values = json.loads(path.read_text()) if path.exists() else {}
        missing = {name: make() for name, make in _DEV_SECRET_MAKERS.items() if name not in values}
        if missing:
            values.update(missing)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(values))
            os.chmod(tmp, 0o600)
            tmp.replace(path)
    return values


_WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 - recognised, not bound here


def reachable_host(host: str) -> str:
    """The host part of a URL that reaches a server bound to `host`: a wildcard bind is
    reached at this machine's outward address (a UDP connect sends nothing, it only picks
    the route), loopback when there is none."""
    if host in _WILDCARD_HOSTS:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("10.254.254.254", 9))
                host = probe.getsockname()[0]
        except OSError:
            host = "127.0.0.1"
    host = host.strip("[]")
    return f"[{host}]" if ":" in host else host


def env_public_base_url(name: str, *, production: bool, host: str, port: int) -> str:
    """The platform's address as people outside reach it (printed in agreement PDFs' QR).
    Required in production (the server cannot know its public name behind a proxy); the
    embedded default is the address it serves itself."""
    raw = os.environ.get(name)
    if raw is None:
        if production:
            raise ImproperlyConfigured(
                f"{name} is required in production: the public address printed in agreement PDFs' "
                "verification QR codes, e.g. https://jy.example.edu.cn"
            )
        raw = f"http://{reachable_host(host)}:{port}"
    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ImproperlyConfigured(f"{name} must be an http(s) address such as https://jy.example.edu.cn, got {raw!r}")
    return raw.strip().rstrip("/")
