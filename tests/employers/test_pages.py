"""Employer account pages: registration on the phone form, the profile per state, the members
page, the employer home's state card, and the staff queue (constant queries as it grows),
detail, licence and decisions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.employers.models import EmployerMember
from apps.employers.selectors import staff_employers
from apps.employers.services import employer_register
from apps.organisations.models import Employer, EmployerStatus
from tests import factories as f
from tests.employers.conftest import code, licence, registration
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_registration_form_registers_and_logs_in(world):
    page = Client().get("/employer/register/").content.decode()
    assert 'id="employer-register-form"' in page and "省级认证（安徽省，全省有效）" in page
    assert "安徽示例大学（仅该校渠道有效）" in page and 'name="licence"' in page
    client = Client()
    bad = client.post("/employer/register/", {**registration(world, credit_code="91340100MA2NREG1X0"),
                                              "password_again": "Anhui#2026pass", "licence": licence()})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'id="credit_code-error"' in html and "统一社会信用代码校验位不正确" in html
    assert 'value="合肥新创软件有限公司"' in html and "Anhui#2026pass" not in html  # typed values kept, password not
    mismatch = client.post("/employer/register/", {**registration(world), "password_again": "other", "licence": licence()})
    assert "两次输入的密码不一致" in mismatch.content.decode()
    done = client.post("/employer/register/", {**registration(world), "password_again": "Anhui#2026pass",
                                                "licence": licence()})
    assert done.status_code == 302 and done.url == "/employer/"
    home = client.get("/employer/").content.decode()
    assert 'id="employer-account"' in home and "待审核" in home and 'id="employer-profile-link"' in home


def test_sub_account_registration_page_says_it_waits(world):
    employer_register(data=registration(world), licence=licence(), client_address="10.0.0.1")
    response = Client().post("/employer/register/", {**registration(world, username="hr-li"),
                                                     "password_again": "Anhui#2026pass"})
    assert response.status_code == 200 and "账号待主账号审核" in response.content.decode()
    login = Client().post("/staff/login/", {"username": "hr-li", "password": "Anhui#2026pass"})
    assert "账号待主账号审核" in login.content.decode()


def test_main_account_approves_a_sub_account_on_the_members_page(world):
    main = employer_register(data=registration(world), licence=licence(), client_address="10.0.0.1")
    employer_register(data=registration(world, username="hr-li", contact_name="李专员"), client_address="10.0.0.2")
    member = EmployerMember.objects.get(user__username="hr-li")
    client = logged_in(main)
    page = client.get("/employer/members/").content.decode()
    assert f'id="member-approve-{member.pk}"' in page and "待主账号审核" in page
    assert client.post(f"/employer/members/{member.pk}/decide/", {"decision": "approve"}).status_code == 302
    assert User.objects.get(username="hr-li").is_active
    sub_page = logged_in(User.objects.get(username="hr-li")).get("/employer/members/").content.decode()
    assert "member-approve" not in sub_page
    login = Client().post("/staff/login/", {"username": "hr-li", "password": "Anhui#2026pass"})
    assert login.status_code == 302


def test_verified_profile_edits_only_contact_fields(world):
    client = logged_in(world.employer_user)
    page = client.get("/employer/profile/").content.decode()
    assert "已认证" in page and 'name="contact_mobile"' in page and 'name="name"' not in page
    response = client.post("/employer/profile/", {"contact_name": "周经理", "contact_mobile": "13955510004",
                                                  "address": "合肥市政务区1号", "size": "300-999", "introduction": "",
                                                  "name": "想改的名字"})
    assert response.status_code == 302
    world.employer.refresh_from_db()
    assert world.employer.contact_name == "周经理" and world.employer.name == "合肥示例科技有限公司"


def test_rejected_unit_resubmits_from_its_profile(world):
    main = employer_register(data=registration(world), licence=licence(), client_address="10.0.0.1")
    employer = main.employer
    staff = logged_in(world.province_admin)
    assert staff.post(f"/staff/employers/{employer.pk}/review/", {"decision": "reject", "reason": ""}).status_code == 400
    staff.post(f"/staff/employers/{employer.pk}/review/", {"decision": "reject", "reason": "营业执照模糊"})
    client = logged_in(main)
    page = client.get("/employer/profile/").content.decode()
    assert "已驳回" in page and "营业执照模糊" in page and "保存并重新提交审核" in page
    values = {k: v for k, v in registration(world).items() if k not in ("username", "password", "credit_code")}
    assert client.post("/employer/profile/", {**values, "licence": licence()}).status_code == 302
    employer.refresh_from_db()
    assert employer.status == EmployerStatus.PENDING and employer.status_reason == ""


def test_staff_detail_shows_data_licence_and_masked_mobile(world):
    main = employer_register(data=registration(world), licence=licence(), client_address="10.0.0.1")
    employer = main.employer
    client = logged_in(world.province_admin)
    html = client.get(f"/staff/employers/{employer.pk}/").content.decode()
    assert 'id="employer-approve"' in html and "139****0001" in html and "13955510001" not in html
    image = client.get(f"/staff/employers/{employer.pk}/licence/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert logged_in(world.school_admin).get(f"/staff/employers/{employer.pk}/licence/").status_code == 404
    assert logged_in(world.college_admin).get("/staff/employers/").status_code == 403
    client.post(f"/staff/employers/{employer.pk}/review/", {"decision": "approve"})
    employer.refresh_from_db()
    assert employer.status == EmployerStatus.VERIFIED
    suspended = client.post(f"/staff/employers/{employer.pk}/suspend/", {"reason": ""})
    assert suspended.status_code == 400 and "请填写停用原因" in suspended.content.decode()


def _employers(world, count, start=0):
    for number in range(start, start + count):
        body = f"91340100MA2Q{number:04d}X"
        status = EmployerStatus.PENDING if number % 2 else EmployerStatus.VERIFIED
        f.make_employer(code(body), f"单位{number:04d}", status=status, province=world.province,
                        verifier_school=world.school if number % 3 == 0 else None)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/staff/employers/", "/staff/employers/?status=all",
                                 "/staff/employers/?status=all&page=2", "/staff/employers/?q=单位00",
                                 "/api/v1/employers/?status=all"])
def test_staff_list_queries_do_not_grow_with_the_list(world, url):
    client = logged_in(world.province_admin)
    _employers(world, 4)
    client.get(url)  # warm the reference snapshot
    small = _count(client, url)
    _employers(world, 70, start=4)
    assert _count(client, url) <= small + 1  # +1: the bounded count once a second page exists


def test_queue_lists_pending_first_and_finds_by_code_or_name_prefix(world):
    _employers(world, 6)
    client = logged_in(world.province_admin)
    html = client.get("/staff/employers/?status=all").content.decode()
    assert html.index("待审核") < html.index("已认证</span>")
    found = client.get(f"/staff/employers/?status=all&q={code('91340100MA2Q0003X')}").content.decode()
    assert "单位0003" in found and "单位0002" not in found
    prefix = client.get("/staff/employers/?status=all&q=单位000").content.decode()
    assert prefix.count('data-employer="') == 6
    assert Employer.objects.filter(name__startswith="单位").count() == 6


@needs_postgresql
@pytest.mark.parametrize(("persona", "status"), [
    ("province_admin", ""), ("province_admin", "pending"), ("school_admin", ""), ("school_admin", "verified"),
])
def test_postgresql_reads_the_queue_from_an_index_in_its_order(world, persona, status):
    _employers(world, 6)
    plan = page_plan(staff_employers(actor=getattr(world, persona), status=status))
    assert_index_ordered(plan, "organisations_employer")
