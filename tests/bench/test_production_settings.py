"""Production settings of issue 9: gunicorn sized for the cores with a database-connection
ceiling, and static files served compressed with far-future cache headers."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


def _conf(monkeypatch, cores: int, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "WEB_THREADS", "DATABASE_CONNECTIONS_PER_SERVER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    return runpy.run_path(str(CONF))


def test_gunicorn_two_processes_per_core_and_a_connection_ceiling(monkeypatch):
    two = _conf(monkeypatch, 2)
    assert (two["workers"], two["threads"]) == (4, 4)  # this VM: 16 connections at most
    big = _conf(monkeypatch, 16)
    assert big["workers"] == 8 and big["workers"] * big["threads"] <= 32  # capped, threads reduced
    assert big["threads"] == 4
    many = _conf(monkeypatch, 2, WEB_CONCURRENCY=12, WEB_THREADS=8, DATABASE_CONNECTIONS_PER_SERVER=24)
    assert many["workers"] == 12 and many["threads"] == 2  # 24 connections: what the cap allows
    assert _conf(monkeypatch, 2, WEB_CONCURRENCY=40)["threads"] == 1  # never below one thread


@pytest.fixture
def collected(settings, tmp_path):
    """One stylesheet as the only static source (collecting every app's files with brotli takes
    minutes on a busy machine); the storage and WhiteNoise are the real ones."""
    source = tmp_path / "source" / "css"
    source.mkdir(parents=True)
    (source / "app.css").write_text("body { color: #222; }\n" * 200)
    settings.STATICFILES_DIRS = [tmp_path / "source"]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "apps.core.static_storage.StaticStorage"}}
    return settings.STATIC_ROOT


def test_static_files_plain_names_until_collected(collected):
    from django.templatetags.static import static

    assert static("css/app.css") == "/static/css/app.css"


@pytest.mark.django_db
def test_collected_static_files_are_hashed_compressed_and_cached_for_years(collected):
    from django.templatetags.static import static

    call_command("collectstatic", interactive=False, verbosity=0)
    from django.contrib.staticfiles.storage import staticfiles_storage

    # a real process reads the manifest when it starts
    staticfiles_storage.hashed_files, staticfiles_storage.manifest_hash = staticfiles_storage.load_manifest()
    url = static("css/app.css")
    assert url.startswith("/static/css/app.") and url.endswith(".css") and url != "/static/css/app.css"
    hashed = collected / url.removeprefix("/static/")
    assert Path(f"{hashed}.br").exists() and Path(f"{hashed}.gz").exists()
    for encoding in ("br", "gzip"):
        response = Client().get(url, HTTP_ACCEPT_ENCODING=encoding)
        assert response.status_code == 200
        assert response["Content-Encoding"] == encoding
        assert response["Cache-Control"] == "max-age=315360000, public, immutable"
        response.close()
