"""网签协议 and 解约审核 staff lists at provincial scale (issue 9): constant statements per
page (page and API), keyword = 协议编号 / exact student number / name prefix / unit name, bounded
deep pages and count, scope, and PostgreSQL reading the page from an index in its order."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.signing.models import Agreement, Invitation, Termination, TerminationLetter, TerminationStatus
from apps.signing.views_staff import AgreementFilters, TerminationFilters, agreements_for_staff, terminations_for_staff
from tests import factories as f
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan, queries_of
from tests.signing.helpers import terms

pytestmark = pytest.mark.django_db

AGREEMENTS = "/staff/agreements/"
TERMINATIONS = "/staff/terminations/"
API = "/api/v1/agreements/"
LIMIT_NOTE = "列表最多显示前 1 页，请使用筛选条件缩小范围。"
_serial = count(1)


def agreement(world, graduate, *, unit_name="合肥示例科技有限公司") -> Agreement:
    """An agreement in force written straight to the database (lists, not rules)."""
    n = next(_serial)
    data = {k: v for k, v in terms(unit_name=unit_name).items() if k not in ("unit_division",)}
    data.update(contract_years=3, probation_months=3, monthly_pay=9000, breach_penalty=5000, accepts_archive=True,
                accepts_household=False)
    invitation = Invitation.objects.create(
        graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id, employer=world.employer,
        follow_token_hash=f"{n:064d}", status="accepted", unit_division_id="340104", certificate="certs/test.png",
        expires_at=timezone.now() + timedelta(days=7), **data)
    return Agreement.objects.create(
        number=f"WQ2027{n:08d}", verification_code=f"V{n:011d}", invitation=invitation, graduate=graduate,
        school_id=graduate.school_id, college_id=graduate.college_id, employer=world.employer,
        accepted_at=timezone.now() - timedelta(minutes=n), accepted_address="10.0.0.1")


def termination(world, graduate, *, status=TerminationStatus.SUBMITTED, letters=2) -> Termination:
    made = Termination.objects.create(
        agreement=agreement(world, graduate), graduate=graduate, school_id=graduate.school_id,
        college_id=graduate.college_id, reason="family", explanation="家庭原因", status=status)
    for n in range(letters):
        TerminationLetter.objects.create(termination=made, file=f"letters/test/{made.pk}-{n}.png", width=10,
                                         height=10, size=100)
    return made


def graduates(world, n, *, start=0, name="网签"):
    return [f.make_graduate(college=world.college, major=world.major, name=f"{name}{i:03d}",
                            student_number=f"2033{i:06d}") for i in range(start, start + n)]


@pytest.fixture
def headers(world):
    from apps.accounts.services import api_token_issue

    return lambda user: {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}


# --- agreements -----------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["college_admin", "school_admin", "province_admin"])
def test_agreements_page_costs_the_same_statements_with_1_and_40_rows(client, world, persona):
    client.force_login(getattr(world, persona))
    for g in graduates(world, 1):
        agreement(world, g)
    client.get(AGREEMENTS)
    one, response = queries_of(client, AGREEMENTS)
    assert response.content.decode().count("<tr data-agreement=") == 1
    for g in graduates(world, 39, start=1):
        agreement(world, g)
    forty, response = queries_of(client, AGREEMENTS)
    html = response.content.decode()
    assert html.count("<tr data-agreement=") == 30 and "共 40 条" in html and "下一页" in html
    assert forty == one + 1  # the bounded COUNT, read only when the list spans pages


def test_agreements_api_costs_the_same_with_1_and_40_rows(client, world, headers):
    auth = headers(world.school_admin)
    for g in graduates(world, 1):
        agreement(world, g)
    client.get(API, **auth)
    with CaptureQueriesContext(connection) as one:
        first = client.get(API, {"page_size": 30}, **auth).json()
    assert first["count"] == 1 and not first["has_next"] and not first["count_capped"]
    for g in graduates(world, 39, start=1):
        agreement(world, g)
    with CaptureQueriesContext(connection) as forty:
        body = client.get(API, {"page_size": 30}, **auth).json()
    assert body["count"] == 40 and body["has_next"] and len(body["items"]) == 30
    assert body["items"][0]["accepted_at"] > body["items"][-1]["accepted_at"]  # newest first
    assert len(forty.captured_queries) == len(one.captured_queries) + 1


def test_agreement_keyword_finds_number_student_number_name_prefix_and_unit(client, world):
    zhang, zhang_ming, li = (f.make_graduate(college=world.college, major=world.major, name=name, student_number=number)
                             for name, number in (("张伟", "2033777001"), ("张伟明", "2033777002"),
                                                  ("李张伟", "2033777003")))
    agreement(world, zhang)
    agreement(world, zhang_ming, unit_name="芜湖星河新材料有限公司")
    third = agreement(world, li)
    client.force_login(world.school_admin)

    def names(q):
        html = client.get(AGREEMENTS, {"q": q}).content.decode()
        return {n for n in ("张伟明", "李张伟") if n in html} | ({"张伟"} if ">张伟<" in html else set())

    assert names("张伟") == {"张伟", "张伟明"}
    assert names("2033777003") == {"李张伟"}
    assert names("2033777") == set()
    assert names(third.number.lower()) == {"李张伟"}
    assert names("星河") == {"张伟明"}


def test_agreements_scope_holds(client, world, headers):
    for g in (world.graduate, world.classmate, world.stranger):
        agreement(world, g)
    college = headers(world.college_admin)
    assert [i["name"] for i in client.get(API, **college).json()["items"]] == [world.graduate.name]
    assert client.get(API, {"q": world.classmate.student_number}, **college).json()["count"] == 0
    assert client.get(API, {"q": world.graduate.name}, **headers(world.other_school_admin)).json()["count"] == 0
    assert client.get(API, **headers(world.school_admin)).json()["count"] == 2
    assert client.get(API, **headers(world.province_admin)).json()["count"] == 3


def test_agreements_deep_page_and_count_are_bounded(client, world, settings, headers):
    settings.LIST_MAX_PAGE = 1
    settings.LIST_COUNT_CAP = 35
    for g in graduates(world, 40):
        agreement(world, g)
    client.force_login(world.school_admin)
    response = client.get(AGREEMENTS, {"page": 4})
    html = response.content.decode()
    assert response.status_code == 200 and LIMIT_NOTE in html and "超过 35 条" in html
    body = client.get(API, {"page": 4, "page_size": 30}, **headers(world.school_admin)).json()
    assert body["items"] == [] and not body["has_next"] and body["count"] == 35 and body["count_capped"]


# --- terminations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("persona,status", [("college_admin", ""), ("school_admin", "all")])
def test_terminations_page_costs_the_same_statements_with_1_and_40_rows(client, world, persona, status):
    client.force_login(getattr(world, persona))
    params = {"status": status} if status else {}
    for g in graduates(world, 1):
        termination(world, g)
    client.get(TERMINATIONS, params)
    one, response = queries_of(client, TERMINATIONS, **params)
    assert response.content.decode().count("<tr data-termination=") == 1
    for g in graduates(world, 39, start=1):
        termination(world, g)
    forty, response = queries_of(client, TERMINATIONS, **params)
    html = response.content.decode()
    assert html.count("<tr data-termination=") == 30 and "共 40 条" in html and "2张" in html
    assert forty == one + 1


def test_terminations_api_costs_the_same_with_1_and_40_rows(client, world, headers):
    auth = headers(world.college_admin)
    for g in graduates(world, 1):
        termination(world, g)
    client.get(API + "terminations", **auth)
    with CaptureQueriesContext(connection) as one:
        first = client.get(API + "terminations", {"page_size": 30}, **auth).json()
    assert first["count"] == 1 and not first["has_next"]
    for g in graduates(world, 39, start=1):
        termination(world, g)
    with CaptureQueriesContext(connection) as forty:
        body = client.get(API + "terminations", {"page_size": 30}, **auth).json()
    assert body["count"] == 40 and body["has_next"] and len(body["items"][0]["letters"]) == 2
    assert len(forty.captured_queries) == len(one.captured_queries) + 1


def test_termination_keyword_and_scope(client, world, headers):
    mine = termination(world, world.graduate)
    termination(world, world.classmate)
    termination(world, world.stranger)
    college = headers(world.college_admin)
    url = API + "terminations"
    assert [i["id"] for i in client.get(url, {"q": world.graduate.name[:1]}, **college).json()["items"]] == [mine.pk]
    assert client.get(url, {"q": mine.agreement.number}, **college).json()["count"] == 1
    assert client.get(url, {"q": world.classmate.student_number}, **college).json()["count"] == 0
    assert client.get(url, {"q": world.graduate.student_number}, **headers(world.other_school_admin)).json()["count"] == 0


@needs_postgresql
@pytest.mark.parametrize("persona,status", [
    ("college_admin", ""), ("school_admin", ""), ("school_admin", "in_force"), ("college_admin", "terminated"),
    ("province_admin", ""), ("province_admin", "in_force"),
])
def test_postgresql_reads_the_agreements_page_from_an_index_in_its_order(world, persona, status):
    for g in graduates(world, 3):
        agreement(world, g)
    plan = page_plan(agreements_for_staff(actor=getattr(world, persona), filters=AgreementFilters(status=status)))
    assert_index_ordered(plan, "signing_agreement")


@needs_postgresql
@pytest.mark.parametrize("persona,status", [
    ("college_admin", TerminationStatus.SUBMITTED), ("school_admin", TerminationStatus.COLLEGE_APPROVED),
    ("school_admin", ""), ("college_admin", ""),
])
def test_postgresql_reads_the_terminations_page_from_an_index_in_its_order(world, persona, status):
    for g in graduates(world, 3):
        termination(world, g)
    plan = page_plan(terminations_for_staff(actor=getattr(world, persona), filters=TerminationFilters(status=status)))
    assert_index_ordered(plan, "signing_termination")
