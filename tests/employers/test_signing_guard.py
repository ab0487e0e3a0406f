"""A suspended employer sends no signing invitation, neither from its account nor through the
card link (found by the credit code typed); a verified account's invitation form is prefilled
from its profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.employers.services import employer_suspend
from apps.organisations.models import SchoolPolicy
from apps.signing import services as signing
from apps.signing.models import Invitation
from tests.signing.helpers import credit_code, make_ready, png, terms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def ready(world):
    SchoolPolicy.objects.update_or_create(school=world.school,
                                          defaults={"signing_opens_on": timezone.localdate() - timedelta(days=1)})
    make_ready(world.graduate)
    world.employer.credit_code = credit_code()
    world.employer.division_id = "340104"
    world.employer.address = "合肥市蜀山区示例路88号"
    world.employer.save()
    return world


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_verified_account_form_is_prefilled_from_profile(ready):
    me = logged_in(ready.employer_user)
    started = me.post("/employer/signing/start/", {"school": ready.school.pk, "name": "王小明",
                                                   "student_number": "2022010101"})
    assert started.status_code == 302
    form = me.get(started.url).content.decode()
    assert 'value="合肥示例科技有限公司"' in form
    assert f'value="{ready.employer.credit_code}"' in form
    assert 'value="合肥市蜀山区示例路88号"' in form


def test_suspended_account_cannot_start_signing(ready):
    employer_suspend(actor=ready.province_admin, employer=ready.employer, reason="虚假招聘")
    me = logged_in(ready.employer_user)
    refused = me.post("/employer/signing/start/", {"school": ready.school.pk, "name": "王小明",
                                                   "student_number": "2022010101"}, follow=True)
    assert "该单位账号已停用，不能发起网签邀约" in refused.content.decode()
    with pytest.raises(signing.DomainError) as exc:
        signing.card_issue_for_employer(actor=ready.employer_user, school_id=ready.school.pk, name="王小明",
                                        student_number="2022010101")
    assert exc.value.code == "employer_suspended"


def test_suspended_unit_cannot_invite_through_the_card_link(ready):
    employer_suspend(actor=ready.province_admin, employer=ready.employer, reason="虚假招聘")
    _, token = signing.card_issue(actor=ready.graduate_user)
    response = Client().post(f"/sign/c/{token}/invite/", {**terms(), "certificate": png()})
    assert response.status_code == 400
    assert "该单位账号已停用，不能发起网签邀约" in response.content.decode()
    assert not Invitation.objects.exists()
    # another unit (not suspended) still invites through the same kind of link
    _, token = signing.card_issue(actor=ready.graduate_user)
    other = credit_code("91340200MA2N8Q7K1")
    sent = Client().post(f"/sign/c/{token}/invite/", {**terms(credit_code=other, unit_name="芜湖示例制造有限公司"),
                                                      "certificate": png()})
    assert sent.status_code == 302 and Invitation.objects.count() == 1
