from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from apps.organisations.models import SchoolPolicy


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
def open_window(world):
    """Registration open whatever the machine's calendar says: the default cut-off (31 August
    of the cohort year) may lie behind it, so the schools set theirs ahead (学校设置)."""
    ahead = timezone.localdate() + timedelta(days=60)
    for school in (world.school, world.other_school):
        SchoolPolicy.objects.update_or_create(school=school, defaults={"destination_cutoff_on": ahead})
    return world


@pytest.fixture
def me(open_window, api_client):
    api_client.login_as(open_window.graduate_user)
    return api_client


@pytest.fixture
def as_user():
    """A separate API client per user (bearer token), with a multipart upload helper."""
    from apps.accounts.services import api_token_issue

    class UserApi:
        def __init__(self, user):
            self.client = Client()
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}

        def get(self, path, **params):
            return self.client.get(f"/api/v1{path}", params, **self.headers)

        def post(self, path, data=None):
            return self.client.post(f"/api/v1{path}", data or {}, content_type="application/json", **self.headers)

        def put(self, path, data=None):
            return self.client.put(f"/api/v1{path}", data or {}, content_type="application/json", **self.headers)

        def delete(self, path):
            return self.client.delete(f"/api/v1{path}", **self.headers)

        def upload(self, content: bytes, name: str = "证明.jpg", content_type: str = "image/jpeg"):
            return self.client.post("/api/v1/destinations/mine/images",
                                    {"image": SimpleUploadedFile(name, content, content_type=content_type)},
                                    **self.headers)

    return UserApi
