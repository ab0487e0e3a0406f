"""One rich world for the security tests, built once per module and rolled back after it.

The owner graduate (本人) has everything a URL can point at: a 毕业去向登记 with a proof image, a
网签邀约 from the inviting employer, a signed 就业协议 (approved, with its PDF), a pending 网络解约
with a letter, a 信息纠错 with an image, a 档案转寄登记, notifications; the school has a 生源导入 and a
通知公告. Every persona of the permission matrix gets a user here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from apps.accounts.models import Role
from tests import factories as f

# The personas of the matrix, in report order. Names used by permission_expectations.py.
PERSONAS = (
    "owner",                # the graduate who owns every record (本人)
    "peer",                 # a graduate of the same college (同院系毕业生)
    "stranger",             # a graduate of another school
    "college_staff",        # 院系管理员 of the owner's college
    "other_college_staff",  # 院系管理员 of another college of the same school
    "school_staff",         # 学校管理员 of the owner's school
    "other_school_staff",   # 学校管理员 of another school
    "province_staff",       # 省级管理员
    "employer",             # the employer that invited and signed with the owner
    "other_employer",       # an employer with no business with the owner
    "anonymous",
)

OWNER_NAME = "欧阳晓测"  # distinctive, so a page that shows it is a page that shows the owner
OWNER_STUDENT_NUMBER = "2099017777"
OWNER_PHONE = "13912345678"


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: SimpleNamespace = field(default_factory=SimpleNamespace)
    objects: SimpleNamespace = field(default_factory=SimpleNamespace)
    tokens: dict = field(default_factory=dict)  # persona → API bearer token (None for anonymous)


def _jpeg(name="证明.jpg") -> SimpleUploadedFile:
    from tests.destinations.builders import jpeg_bytes

    return SimpleUploadedFile(name, jpeg_bytes(80, 60), content_type="image/jpeg")


def build_world(capture_on_commit) -> World:
    """Everything through the real services (the same ones the pages call)."""
    from django.core.management import call_command

    from apps.accounts.services import api_token_issue
    from apps.archives.services import archive_save
    from apps.corrections.services import correction_file
    from apps.destinations.models import Destination, ProofImage
    from apps.destinations.services import destination_review
    from apps.notices.services import notice_create
    from apps.organisations.models import SchoolPolicy
    from apps.reference.models import CodeTable
    from apps.registry.models import OutboxEntry
    from apps.roster import services as roster
    from apps.signing import services as signing
    from apps.signing.documents import agreement_generate_pdf
    from tests.archives.conftest import valid as archive_data
    from tests.roster.builders import person, xlsx
    from tests.signing.helpers import PIN, accept, credit_code, make_ready, png, terms

    if not CodeTable.objects.exists():
        call_command("load_reference", verbosity=0)

    w = World()
    province = f.make_province()
    school = f.make_school(name="安徽示例大学", code="10359")
    other_school = f.make_school(name="江淮理工学院", code="10360")
    college = f.make_college(school, "计算机学院")
    other_college = f.make_college(school, "外国语学院")
    far_college = f.make_college(other_school, "机械学院")
    major = f.make_major(college, "软件工程", "080902")
    today = timezone.localdate()
    for s in (school, other_school):
        SchoolPolicy.objects.update_or_create(school=s, defaults={
            "destination_cutoff_on": today + timedelta(days=60), "termination_opens_on": today - timedelta(days=1),
            "signing_opens_on": today - timedelta(days=30)})

    owner = f.make_graduate(college=college, major=major, name=OWNER_NAME, student_number=OWNER_STUDENT_NUMBER,
                            id_number=f.make_id_number(serial=777), pin=PIN)
    peer = f.make_graduate(college=college, major=major, name="同院系同学", student_number="2099010002", pin=PIN)
    stranger = f.make_graduate(college=far_college, name="外校同学", student_number="2099030003", pin=PIN)
    inviting = f.make_employer(credit_code=credit_code(), name="合肥示例科技有限公司")
    other = f.make_employer(credit_code=credit_code("91340100MA2N9Q7K1"), name="芜湖别家有限公司")
    third = credit_code("91340100MA2N7Q7K2")  # invites without an account; its invitation is declined

    users = {
        "owner": f.graduate_user(owner),
        "peer": f.graduate_user(peer),
        "stranger": f.graduate_user(stranger),
        "college_staff": f.make_staff(Role.COLLEGE_STAFF, school=school, college=college, username="sec-college"),
        "other_college_staff": f.make_staff(Role.COLLEGE_STAFF, school=school, college=other_college,
                                            username="sec-college-2"),
        "school_staff": f.make_staff(Role.SCHOOL_STAFF, school=school, username="sec-school"),
        "other_school_staff": f.make_staff(Role.SCHOOL_STAFF, school=other_school, username="sec-school-2"),
        "province_staff": f.make_staff(Role.PROVINCE_STAFF, province=province, username="sec-province"),
        "employer": f.make_staff(Role.EMPLOYER, employer=inviting, username="sec-employer"),
        "other_employer": f.make_staff(Role.EMPLOYER, employer=other, username="sec-employer-2"),
        "anonymous": None,
    }
    w.users = users
    me = users["owner"]

    # 网络签约: the inviting employer's account invites, the owner accepts; a third unit (no
    # account, so no persona) is declined first. The other employer has no business with the owner.
    make_ready(owner)
    owner.phone = OWNER_PHONE
    owner.save()
    card, card_token = signing.card_issue(actor=me)
    declined_invitation, _ = signing.invitation_create(
        card=card, data=terms(credit_code=third, unit_name="蚌埠第三方有限公司"), certificate=png(),
        client_address="10.1.1.2")
    signing.invitation_decline(actor=me, invitation=declined_invitation, reason="已有意向单位")
    invitation, follow_token = signing.invitation_create(card=card, data=terms(), certificate=png(),
                                                         employer_user=users["employer"], client_address="10.1.1.1")
    agreement = accept(me, invitation)
    destination = Destination.objects.get(graduate=owner)
    # a proof photo on the registration, stored like an upload would be
    from apps.core.images import image_content_file, process_image

    processed = process_image(_jpeg())
    content = image_content_file(processed)
    stored = default_storage.save(f"proof/{school.pk}/{content.name}", content)
    proof = ProofImage.objects.create(destination=destination, file=stored, width=processed.width,
                                      height=processed.height, size=processed.size)
    destination_review(actor=users["college_staff"], destination=destination, approve=True)
    destination_review(actor=users["school_staff"], destination=destination, approve=True)
    agreement_generate_pdf(agreement.pk)
    agreement.refresh_from_db()
    termination = signing.termination_apply(actor=me, reason="family", explanation="家庭原因，单位同意解约",
                                            letters=[png("letter.png")], pin=PIN)
    letter = termination.letters.first()

    correction = correction_file(actor=me, graduate=owner, kind="basic", field="ethnicity_code", proposed_value="03",
                                 explanation="户口簿上是回族，学籍录入有误", images=[png("证明.png")],
                                 client_address="127.0.0.1")
    correction_image = correction.images.first()
    archive = archive_save(actor=me, graduate=owner, data=archive_data())

    with capture_on_commit(execute=True):
        roster_import = roster.roster_import_start(
            actor=users["school_staff"], uploaded_file=SimpleUploadedFile("生源.xlsx", xlsx([person(1)])),
            cohort=school.current_cohort, mode="create", client_address="127.0.0.1")
    roster_import.refresh_from_db()
    notice = notice_create(actor=users["school_staff"], kind="notice", title="关于毕业去向登记的通知",
                           body="请按时登记。", is_published=True)
    print_session, print_secret = signing.print_session_start(client_address="10.9.9.9")
    signing.print_session_claim(actor=me, short_code=print_session.short_code, client_address="10.9.9.9")

    w.objects = SimpleNamespace(owner=owner, peer=peer, stranger=stranger, school=school, college=college,
                                agreement=agreement, invitation=invitation, destination=destination,
                                termination=termination, correction=correction, archive=archive, notice=notice,
                                roster_import=roster_import)
    w.ids = SimpleNamespace(
        graduate=owner.pk, invitation=invitation.pk, declined_invitation=declined_invitation.pk,
        agreement=agreement.pk, destination=destination.pk, proof_image=proof.pk, termination=termination.pk,
        letter=letter.pk, correction=correction.pk, correction_image=correction_image.pk, archive=archive.pk,
        roster_import=roster_import.pk, notice=notice.pk, print_session=print_session.pk,
        print_secret=print_secret, card_token=card_token, follow_token=follow_token,
        card_code=card.short_code, verification_code=agreement.verification_code, media_name=stored,
        college=college.pk, major=major.pk, school=school.pk,
        outbox_entry=OutboxEntry.objects.filter(graduate=owner).order_by("sequence").values_list("pk", flat=True)[0],
        code_table_slug=CodeTable.objects.order_by("slug").values_list("slug", flat=True).first(),
    )
    # the job side (issue 12): a published posting of the inviting employer in the owner's
    # school channel that the owner applied to, etc. — one builder per area, in order
    from tests.security.jobs_world import build_jobs_world

    build_jobs_world(w, users)
    w.tokens = {name: (api_token_issue(user) if user is not None else None) for name, user in users.items()}
    return w


@pytest.fixture(scope="module")
def security_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once per module inside a transaction that is rolled back afterwards, so the rest
    of the suite never sees it. Uploads go to a temporary directory."""
    from django.conf import settings

    media = tmp_path_factory.mktemp("security-media")
    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                 "OPTIONS": {"location": str(media), "base_url": None}}}
    with override_settings(STORAGES=storages), django_db_blocker.unblock():
        with transaction.atomic():
            world = build_world(_CaptureOnCommit())
            yield world
            transaction.set_rollback(True)


class _CaptureOnCommit:
    """Run on_commit callbacks (the roster validation task) at once, like
    django_capture_on_commit_callbacks(execute=True) but usable at module scope."""

    def __call__(self, execute=True):
        from django.test import TestCase

        return TestCase.captureOnCommitCallbacks(execute=execute)


@pytest.fixture(scope="module")
def page_clients(security_world, django_db_blocker):
    """One logged-in test client per persona (session cookie), reused by every request."""
    clients = {}
    with django_db_blocker.unblock():
        for name, user in security_world.users.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            clients[name] = client
    return clients

