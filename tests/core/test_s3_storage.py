"""Files go through Django's storage API: with PLATFORM_STORAGE=s3 the same upload and the
same permission-checked download work against an S3-compatible store (moto stands in)."""

from __future__ import annotations

import io

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from moto import mock_aws
from PIL import Image

S3 = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "platform-private", "access_key": "test", "secret_key": "test",
                    "region_name": "us-east-1", "default_acl": "private", "querystring_auth": True},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="platform-private")
        with override_settings(STORAGES=S3):
            yield client


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("合同.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_proof_image_is_stored_in_the_bucket_and_served_only_to_its_owner(world, s3, client):
    from apps.destinations.models import ProofImage
    from apps.destinations.services import destination_add_image, destination_save
    from apps.organisations.models import SchoolPolicy

    SchoolPolicy.objects.create(school=world.school)
    destination_save(actor=world.graduate_user, graduate=world.graduate, category_code="701", data={})
    image = destination_add_image(actor=world.graduate_user, graduate=world.graduate, uploaded=photo())
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="platform-private")["Contents"]]
    assert keys == [image.file.name] and "合同" not in image.file.name  # random name, not the user's
    stored = s3.get_object(Bucket="platform-private", Key=image.file.name)["Body"].read()

    client.force_login(world.graduate_user)
    response = client.get(f"/destinations/images/{image.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored
    client.force_login(world.stranger_user)
    assert client.get(f"/destinations/images/{image.pk}/").status_code == 404
    assert ProofImage.objects.count() == 1
