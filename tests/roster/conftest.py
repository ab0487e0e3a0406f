from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.roster import services


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploads go to a temporary directory, never to var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }
    return tmp_path / "media"


@pytest.fixture
def upload(world, django_capture_on_commit_callbacks):
    """Upload through the service and run the queued validation (ImmediateBackend)."""

    def _upload(content: bytes, *, actor=None, mode="create", cohort=None, name="生源.xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            roster_import = services.roster_import_start(
                actor=actor or world.school_admin, uploaded_file=SimpleUploadedFile(name, content),
                cohort=cohort or world.school.current_cohort, mode=mode, client_address="127.0.0.1",
            )
        roster_import.refresh_from_db()
        return roster_import

    return _upload


@pytest.fixture
def commit(world, django_capture_on_commit_callbacks):
    def _commit(roster_import, *, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            services.roster_import_commit(actor=actor or world.school_admin, roster_import=roster_import,
                                          client_address="127.0.0.1")
        roster_import.refresh_from_db()
        return roster_import

    return _commit

