from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories as f


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploads go to a temporary directory, never to var/media."""
    return f.use_temporary_media(settings, tmp_path)


def png(name="证明.png", size=(64, 48), colour=(200, 30, 30)) -> SimpleUploadedFile:
    return f.png_upload(name, size, colour)


def jpeg_with_gps(name="photo.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (80, 60), (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 52.0, 0.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def file_correction(world):
    """File through the service as the world's graduate; keyword arguments override."""
    from apps.corrections.services import correction_file

    def _file(**overrides):
        args = {
            "actor": world.graduate_user, "graduate": world.graduate, "kind": "basic", "field": "ethnicity_code",
            "proposed_value": "03", "explanation": "户口簿上是回族，学籍录入有误", "images": [],
            "client_address": "127.0.0.1",
        }
        args.update(overrides)
        return correction_file(**args)

    return _file


def valid_id_number(serial: int, county: str = "340104", birth: str = "20030517") -> str:
    """A valid resident ID number. (stdnum's calc_check_digit expects the number *with* a
    check digit and drops the last character, so pass it a placeholder.)"""
    from stdnum.cn import ric

    body = f"{county}{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")
