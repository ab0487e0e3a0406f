"""毕业生查询 (issue 14): the search (姓名开头 / 学号 / 身份证号后四位) and every filter narrow the
list as a staff member expects, in the page and the API alike; values that are not choices are
ignored without an error; college staff never reach another college's graduates."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from apps.destinations.models import DestinationStatus
from apps.signing.models import Agreement, Invitation
from tests import factories as f
from tests.destinations.builders import make_destination
from tests.signing.helpers import terms

pytestmark = pytest.mark.django_db

LIST = "/staff/graduates/"
API = "/directory/graduates"
_serial = count(1)


# --- helpers (also used by the other test_directory_* modules) ---------------------------------

def listed(client, **params) -> set[str]:
    """The names in the directory table for these query parameters."""
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content[:300]
    table = response.content.decode().split('id="graduate-table"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'/staff/graduates/\d+/">([^<]+)</a>', table))


def api_listed(api_client, **params) -> set[str]:
    response = api_client.get(API, **params)
    assert response.status_code == 200, response.content[:300]
    return {item["name"] for item in response.json()["items"]}


def agreement(world, graduate, *, unit_name="合肥示例科技有限公司", status="in_force") -> Agreement:
    """An agreement written straight to the database (lists, not signing rules)."""
    n = next(_serial)
    data = {k: v for k, v in terms(unit_name=unit_name).items() if k != "unit_division"}
    data.update(contract_years=3, probation_months=3, monthly_pay=9000, breach_penalty=5000, accepts_archive=True,
                accepts_household=False)
    invitation = Invitation.objects.create(
        graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id, employer=world.employer,
        follow_token_hash=f"d{n:063d}", status="accepted", unit_division_id="340104", certificate="certs/test.png",
        expires_at=timezone.now() + timedelta(days=7), **data)
    return Agreement.objects.create(
        number=f"WQD{n:08d}", verification_code=f"VD{n:010d}", invitation=invitation, graduate=graduate,
        school_id=graduate.school_id, college_id=graduate.college_id, employer=world.employer, status=status,
        accepted_at=timezone.now() - timedelta(minutes=n), accepted_address="10.0.0.1",
        terminated_at=timezone.now() if status == "terminated" else None)


def id_number_ending_in_x() -> str:
    """A valid ID number whose check character is X."""
    for serial in range(1000):
        number = f.make_id_number(serial=serial)
        if number.endswith("X"):
            return number
    raise AssertionError("no serial gives X")


# --- search ------------------------------------------------------------------------------------

def test_last_four_of_the_id_number_finds_the_graduate(world, client, api_client):
    last4 = world.graduate.id_number[-4:]
    client.force_login(world.school_admin)
    assert listed(client, q=last4) == {"王小明"}
    api_client.login_as(world.school_admin)
    assert api_listed(api_client, q=last4) == {"王小明"}
    # the masked number in the row shows exactly those four characters
    html = client.get(LIST, {"q": last4}).content.decode()
    assert world.graduate.masked_id_number in html and world.graduate.id_number not in html


def test_last_four_with_x_in_either_case(world, client):
    number = id_number_ending_in_x()
    f.make_graduate(college=world.college, major=world.major, name="钱多多", id_number=number)
    client.force_login(world.school_admin)
    assert listed(client, q=number[-4:]) == {"钱多多"}
    assert listed(client, q=number[-4:].lower()) == {"钱多多"}
    assert listed(client, q=f" {number[-4:]} ") == {"钱多多"}  # spaces typed around it


def test_four_digits_search_student_numbers_and_id_numbers_both(world, client):
    """「1234」 may be a short student number or an ID number's last four: both are listed."""
    by_number = f.make_graduate(college=world.college, major=world.major, name="学号生", student_number="1234")
    by_id = f.make_graduate(college=world.college, major=world.major, name="证号生",
                            id_number=f.make_id_number(serial=123))
    last4 = by_id.id_number[-4:]
    by_number.student_number = last4
    by_number.save(update_fields=["student_number"])
    client.force_login(world.school_admin)
    # 王小明's ID number has the same serial, so the same last four
    assert listed(client, q=last4) == {"学号生", "证号生", "王小明"}


def test_name_prefix_and_student_number_still_work(world, client):
    client.force_login(world.school_admin)
    assert listed(client, q="王") == {"王小明"}
    assert listed(client, q="2022010101") == {"王小明"}
    assert listed(client, q="小明") == set()
    assert listed(client, q="01010") == set()  # five digits: not the last four, not a whole number


def test_last_four_stays_in_scope(world, client):
    client.force_login(world.college_admin)
    assert listed(client, q=world.classmate.id_number[-4:]) - {"王小明"} == set()  # 李华 is another college's
    client.force_login(world.other_school_admin)
    assert listed(client, q=world.graduate.id_number[-4:]) == set()


# --- filters -----------------------------------------------------------------------------------

def test_college_major_level_and_cohort(world, client, api_client):
    second_major = f.make_major(world.college, "网络工程")
    f.make_graduate(college=world.college, major=second_major, name="周网络")
    f.make_graduate(college=world.college, major=world.major, name="吴硕士", education_level_code="11")
    f.make_graduate(college=world.college, major=world.major, name="郑往届", cohort=world.school.current_cohort - 1)
    client.force_login(world.school_admin)
    assert listed(client, college=world.other_college.pk) == {"李华"}
    assert listed(client, college=world.college.pk, major=second_major.pk) == {"周网络"}
    assert listed(client, level="11") == {"吴硕士"}
    assert listed(client, cohort=world.school.current_cohort - 1) == {"郑往届"}
    api_client.login_as(world.school_admin)
    assert api_listed(api_client, college_id=world.other_college.pk) == {"李华"}
    assert api_listed(api_client, education_level_code="11") == {"吴硕士"}


def test_origin_province(world, client, api_client):
    f.make_graduate(college=world.college, major=world.major, name="京生源", origin_division_id="110101")
    world.graduate.origin_division_id = "340104"
    world.graduate.save(update_fields=["origin_division"])
    client.force_login(world.school_admin)
    assert listed(client, province="110000") == {"京生源"}
    assert listed(client, province="340000") == {"王小明"}
    api_client.login_as(world.school_admin)
    assert api_listed(api_client, origin_province="110000") == {"京生源"}
    # a city or county code is not a province: the filter is not applied
    assert listed(client, province="340100") == {"王小明", "李华", "京生源"}


def test_destination_category_with_sub_codes_and_unregistered(world, client, api_client):
    grassroots = f.make_graduate(college=world.college, major=world.major, name="西部生")
    make_destination(grassroots, code="503", status=DestinationStatus.SCHOOL_APPROVED)  # 西部计划, under 50
    make_destination(world.graduate, code="11", status=DestinationStatus.SUBMITTED)
    client.force_login(world.school_admin)
    assert listed(client, category="50") == {"西部生"}  # 国家基层项目 includes 西部计划
    assert listed(client, category="503") == {"西部生"}
    assert listed(client, category="11") == {"王小明"}
    assert listed(client, category="none") == {"李华"}  # 未登记
    api_client.login_as(world.school_admin)
    assert api_listed(api_client, category="none") == {"李华"}
    rows = {i["name"]: i for i in api_client.get(API).json()["items"]}
    assert rows["李华"]["destination_category"] == "未登记"
    assert rows["西部生"]["destination_status"] == "审核通过"


def test_review_state(world, client):
    make_destination(world.graduate, code="11", status=DestinationStatus.SUBMITTED)
    make_destination(world.classmate, code="11", status=DestinationStatus.COLLEGE_APPROVED)
    client.force_login(world.school_admin)
    assert listed(client, status="submitted") == {"王小明"}
    assert listed(client, status="college_approved") == {"李华"}
    assert listed(client, status="college_approved", category="11") == {"李华"}
    assert listed(client, status="submitted", category="none") == set()  # no record has no state


def test_origin_confirmed(world, client):
    world.graduate.origin_confirmed_at = timezone.now()
    world.graduate.save(update_fields=["origin_confirmed_at"])
    client.force_login(world.school_admin)
    assert listed(client, confirmed="yes") == {"王小明"}
    assert listed(client, confirmed="no") == {"李华"}


def test_signed_online_counts_agreements_in_force_only(world, client, api_client):
    agreement(world, world.graduate)
    agreement(world, world.classmate, status="terminated")
    client.force_login(world.school_admin)
    assert listed(client, signed="yes") == {"王小明"}
    assert listed(client, signed="no") == {"李华"}
    api_client.login_as(world.school_admin)
    rows = {i["name"]: i["signed_online"] for i in api_client.get(API).json()["items"]}
    assert rows == {"王小明": True, "李华": False}


def test_hardship_and_normal_student(world, client, api_client):
    f.make_graduate(college=world.college, major=world.major, name="困难生", hardship_code="2")
    f.make_graduate(college=world.college, major=world.major, name="师范生", normal_student_code="1")
    client.force_login(world.school_admin)
    assert listed(client, hardship="2") == {"困难生"}
    assert listed(client, normal="1") == {"师范生"}
    api_client.login_as(world.school_admin)
    assert api_listed(api_client, hardship="2") == {"困难生"}
    assert api_listed(api_client, normal="1") == {"师范生"}


def test_filter_choices_come_from_the_code_tables(world, client):
    client.force_login(world.school_admin)
    html = client.get(LIST).content.decode()
    for text in ("家庭困难", "普通师范生", "北京市", "西部计划", "未登记", "初审通过", "已网签", "已确认"):
        assert text in html, text


@pytest.mark.parametrize("params", [
    {"category": "999"}, {"status": "approved!"}, {"confirmed": "maybe"}, {"signed": "2"}, {"hardship": "Z"},
    {"normal": "<b>"}, {"province": "abc"}, {"level": "xx"}, {"college": "x"}, {"major": "10" * 20},
    {"cohort": "1e9"}, {"page": "-1"}, {"q": "x" * 500},
])
def test_bad_filter_values_are_ignored_without_an_error(world, client, api_client, params):
    client.force_login(world.school_admin)
    response = client.get(LIST, params)
    assert response.status_code == 200
    if "q" not in params:
        assert listed(client, **params) == {"王小明", "李华"}
    api_client.login_as(world.school_admin)
    api_params = {{"college": "college_id", "major": "major_id", "level": "education_level_code",
                   "province": "origin_province"}.get(k, k): v for k, v in params.items()}
    answer = api_client.get(API, **api_params)
    assert answer.status_code in (200, 422), answer.content[:200]
    if answer.status_code == 422:  # a bounded integer parameter: the one Chinese error shape
        assert re.search(r"[\u4e00-\u9fff]", answer.json()["error"]["message"]), answer.json()


# --- scope -------------------------------------------------------------------------------------

def test_college_staff_never_see_another_college(world, client, api_client):
    client.force_login(world.college_admin)
    assert listed(client) == {"王小明"}
    assert listed(client, college=world.other_college.pk) == set()
    assert client.get(f"/staff/graduates/{world.classmate.pk}/").status_code == 404
    api_client.login_as(world.college_admin)
    assert api_listed(api_client) == {"王小明"}
    assert api_listed(api_client, college_id=world.other_college.pk) == set()
    assert api_client.get(f"{API}/{world.classmate.pk}").status_code == 404
    assert api_client.get(f"{API}/{world.stranger.pk}").status_code == 404


def test_province_staff_pick_a_school_and_see_both(world, client, api_client):
    client.force_login(world.province_admin)
    assert listed(client) == {"王小明", "李华", "赵强"}
    assert listed(client, school=world.other_school.pk) == {"赵强"}
    api_client.login_as(world.province_admin)
    assert api_listed(api_client, school_id=world.school.pk) == {"王小明", "李华"}


def test_graduates_and_employers_have_no_directory(world, client, api_client):
    api_client.login_as(world.graduate_user)
    assert api_client.get(API).status_code == 403
    assert api_client.get(f"{API}/{world.graduate.pk}").status_code == 403
    api_client.login_as(world.employer_user)
    assert api_client.get(API).status_code == 403
    client.force_login(world.employer_user)
    assert client.get(LIST).status_code in (302, 403)


def test_the_last_four_lookup_uses_its_index(world):
    """身份证号后四位 is its own lookup on (school, id_last4), like the name and number lookups."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.graduates.selectors import GraduateFilters, graduates_list

    for i in range(30):
        f.make_graduate(college=world.college, major=world.major, name=f"索引{i:02d}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as ctx:
        graduates_list(actor=world.school_admin, filters=GraduateFilters(keyword=world.graduate.id_number[-4:]))
    lookup = [q["sql"] for q in ctx.captured_queries if '"id_last4" =' in q["sql"]]
    assert len(lookup) == 1, ctx.captured_queries
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + lookup[0])
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + lookup[0])
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "graduate_id_last4_idx" in plan, plan
