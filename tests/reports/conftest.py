from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories as f
from tests.factories import make_posting

__all__ = ["make_posting"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploads go to a temporary directory, never to var/media."""
    return f.use_temporary_media(settings, tmp_path)


def png(name="收费凭证.png", size=(64, 48), colour=(200, 30, 30)) -> SimpleUploadedFile:
    return f.png_upload(name, size, colour)


def fake_image(name="聊天记录.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<html>not a picture</html>", content_type="image/png")


@pytest.fixture
def posting(world):
    """Published in the graduate's school channel by the world's (province-verified) employer."""
    return make_posting(world.employer, school=world.school)


@pytest.fixture
def file_report(world, posting):
    """File through the service as the world's graduate about `posting`; keywords override."""
    from apps.reports.services import report_file

    def _file(**overrides):
        args = {"actor": world.graduate_user, "posting": posting, "employer": None, "reason": "fee",
                "details": "面试时要求先交800元培训费，说入职后退还。", "images": [], "client_address": "127.0.0.1"}
        args.update(overrides)
        return report_file(**args)

    return _file
