from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.jobs.models import Posting, PostingPlace, PostingStatus
from apps.jobs.search import posting_index_columns
from tests import factories as f


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploads go to a temporary directory, never to var/media."""
    return f.use_temporary_media(settings, tmp_path)


def png(name="收费凭证.png", size=(64, 48), colour=(200, 30, 30)) -> SimpleUploadedFile:
    return f.png_upload(name, size, colour)


def fake_image(name="聊天记录.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<html>not a picture</html>", content_type="image/png")


def make_posting(employer, *, school=None, title="软件工程师", status=PostingStatus.PUBLISHED, days_left=30) -> Posting:
    """A posting in `school`'s channel (the province's when None), stored as the services store it."""
    now = timezone.now()
    posting = Posting(
        employer=employer, channel_province_id=(school.province_id if school else employer.verifier_province_id),
        channel_school=school, title=title, category_code="13", openings=2, education_codes=["231"],
        salary_min=6000, salary_max=9000, description="负责后端开发。", contact_name="王经理",
        contact_phone="0551-12345678", deadline=timezone.localdate() + timedelta(days=days_left),
        industry_code=employer.industry_code, nature_code=employer.nature_code, status=status, submitted_at=now,
        published_at=now if status == PostingStatus.PUBLISHED else None)
    posting.search_title, posting.search_body = posting_index_columns(posting)
    posting.save()
    PostingPlace.objects.create(posting=posting, county_code="340104", city_code="3401", province_code="34")
    return posting


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
