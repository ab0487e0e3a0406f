"""平台登录: every outcome of the handbook's login section, through the API and the page."""

from __future__ import annotations

import pytest
from django.test import override_settings

from apps.accounts.services import DUPLICATE, NO_MATCH
from apps.core.crypto import keyed_hash
from tests import factories as f


def login(api_client, school, name, student_number, id_number, **extra):
    return api_client.post(
        "/auth/graduate/login",
        {"school_id": school.pk, "name": name, "student_number": student_number, "id_number": id_number},
        **extra,
    )


def test_all_three_matching_logs_in_and_returns_a_token(world, api_client):
    g = world.graduate
    response = login(api_client, world.school, g.name, g.student_number, g.id_number)
    assert response.status_code == 200
    body = response.json()
    assert body["graduate"]["id"] == g.pk
    assert body["graduate"]["id_number_masked"] == g.id_number[:4] + "*" * 10 + g.id_number[-4:]
    assert body["pin_required"] is False
    api_client.token = body["token"]
    assert api_client.get("/auth/me").json()["graduate"]["student_number"] == g.student_number


@pytest.mark.parametrize(
    "field, wrong",
    [("name", "王小红"), ("student_number", "2022010199"), ("id_number", "__other__")],
)
def test_any_field_wrong_gives_the_one_no_match_message(world, api_client, field, wrong):
    g = world.graduate
    data = {"name": g.name, "student_number": g.student_number, "id_number": g.id_number}
    data[field] = f.make_id_number(serial=999) if wrong == "__other__" else wrong
    response = login(api_client, world.school, **data)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == NO_MATCH == "信息不匹配或没有注册"


def test_right_person_wrong_school_is_no_match(world, api_client):
    g = world.graduate
    response = login(api_client, world.other_school, g.name, g.student_number, g.id_number)
    assert response.json()["error"]["message"] == NO_MATCH


@pytest.mark.parametrize(
    "name, student_number, id_transform",
    [
        (" 王小明 ", " 2022010101 ", lambda s: f" {s} "),  # surrounding spaces
        ("王 小明", "2022 0101 01", lambda s: s[:6] + " " + s[6:14] + " " + s[14:]),  # inner spaces
        ("王小明", "２０２２０１０１０１", lambda s: s.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))),  # full-width
        ("王小明\u3000", "2022010101", lambda s: s),  # ideographic space
    ],
)
def test_input_is_normalised(world, api_client, name, student_number, id_transform):
    response = login(api_client, world.school, name, student_number, id_transform(world.graduate.id_number))
    assert response.status_code == 200, response.json()
    assert response.json()["graduate"]["id"] == world.graduate.pk


def test_lower_case_x_in_id_number_matches(world, api_client):
    idn = None
    serial = 0
    while idn is None or not idn.endswith("X"):
        serial += 1
        idn = f.make_id_number(serial=serial)
    g = f.make_graduate(college=world.college, name="孙悟", student_number="2022099999", id_number=idn)
    response = login(api_client, world.school, "孙悟", "2022099999", idn.lower())
    assert response.status_code == 200
    assert response.json()["graduate"]["id"] == g.pk


def test_two_current_records_give_the_duplicate_message(world, api_client):
    idn = f.make_id_number(serial=555)
    for level in ("31", "25"):  # 本科 and 双学位 with the same student number
        f.make_graduate(college=world.college, name="周雨", student_number="2022030077", id_number=idn,
                        education_level_code=level)
    response = login(api_client, world.school, "周雨", "2022030077", idn)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == DUPLICATE == "信息重复，请联系学校管理员"


def test_newest_cohort_record_is_chosen_when_the_triple_matches_several_cohorts(world, api_client):
    idn = f.make_id_number(serial=321)
    old = f.make_graduate(college=world.college, name="陈静", student_number="2019020033", id_number=idn, cohort=2022)
    new = f.make_graduate(college=world.college, name="陈静", student_number="2019020033", id_number=idn,
                          cohort=2026, education_level_code="11")
    response = login(api_client, world.school, "陈静", "2019020033", idn)
    assert response.status_code == 200
    assert response.json()["graduate"]["id"] == new.pk != old.pk


def test_an_earlier_cohort_record_never_opens_when_a_later_one_exists(world, api_client):
    idn = f.make_id_number(serial=322)
    f.make_graduate(college=world.college, name="陈静", student_number="2019020033", id_number=idn, cohort=2022)
    f.make_graduate(college=world.college, name="陈静", student_number="2023120005", id_number=idn, cohort=2026,
                    education_level_code="11")
    response = login(api_client, world.school, "陈静", "2019020033", idn)  # the bachelor's student number
    assert response.status_code == 400
    assert "往届" in response.json()["error"]["message"]
    assert "token" not in response.json()


def test_missing_fields_are_refused_with_a_chinese_message(world, api_client):
    response = api_client.post("/auth/graduate/login", {"school_id": world.school.pk, "name": "王小明"})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["message"] == "请求参数不正确，请检查后重试"
    assert body["fields"]["student_number"] == "必填"


def test_wrong_types_are_refused(world, api_client):
    response = api_client.post("/auth/graduate/login", {"school_id": "abc", "name": 1, "student_number": [],
                                                        "id_number": None})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation"


@override_settings(LOGIN_THROTTLE_PER_ACCOUNT=3, LOGIN_THROTTLE_PER_ADDRESS=100)
def test_failures_are_throttled_per_account(world, api_client):
    g = world.graduate
    for _ in range(3):
        assert login(api_client, world.school, g.name, g.student_number, f.make_id_number(serial=1)).status_code == 400
    # even the right answer is refused now, with a clear message
    response = login(api_client, world.school, g.name, g.student_number, g.id_number)
    assert response.status_code == 429
    assert "尝试次数过多" in response.json()["error"]["message"]
    # another account from the same address is not affected
    c = world.classmate
    assert login(api_client, world.school, c.name, c.student_number, c.id_number).status_code == 200


@override_settings(LOGIN_THROTTLE_PER_ACCOUNT=100, LOGIN_THROTTLE_PER_ADDRESS=4)
def test_failures_are_throttled_per_client_address(world, api_client):
    for n in range(4):
        login(api_client, world.school, "某某", f"99{n}", f.make_id_number(serial=n), REMOTE_ADDR="10.0.0.9")
    g = world.graduate
    blocked = login(api_client, world.school, g.name, g.student_number, g.id_number, REMOTE_ADDR="10.0.0.9")
    assert blocked.status_code == 429
    other = login(api_client, world.school, g.name, g.student_number, g.id_number, REMOTE_ADDR="10.0.0.10")
    assert other.status_code == 200


def test_login_finds_the_graduate_with_one_indexed_query(world, django_assert_max_num_queries, monkeypatch):
    from apps.accounts.services import LoginAttempt, graduate_login
    from apps.core import throttle

    # one window opening in a hundred also sweeps closed windows (extra statements): not this one
    monkeypatch.setattr(throttle.secrets, "randbelow", lambda n: n - 1)

    g = world.graduate
    for n in range(30):
        f.make_graduate(college=world.college, name=f"同学{n}", student_number=f"2022500{n:03d}")
    # school lookup, graduate lookup, later-cohort check, user lookup + last_login (+ savepoints);
    # the two throttle counters: one upsert each before the check, the account's reset and
    # the address's slot given back after it
    with django_assert_max_num_queries(11):
        user = graduate_login(LoginAttempt(world.school.pk, g.name, g.student_number, g.id_number, "127.0.0.1"))
    assert user.graduate_id == g.pk


def test_id_number_is_encrypted_at_rest_and_found_by_keyed_hash(world):
    from django.db import connection

    g = world.graduate
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM graduates_graduate WHERE id = %s", [g.pk])
        raw, digest = cursor.fetchone()
    assert g.id_number not in raw and g.id_number[6:14] not in raw
    assert digest == keyed_hash(g.id_number)


def test_login_page_shows_the_handbook_messages(world, client):
    g = world.graduate
    response = client.post("/login/", {"school_id": world.school.pk, "name": g.name, "student_number": g.student_number,
                                       "id_number": f.make_id_number(serial=77)})
    assert response.status_code == 400
    assert NO_MATCH in response.content.decode()
    response = client.post("/login/", {"school_id": world.school.pk, "name": g.name, "student_number": g.student_number,
                                       "id_number": g.id_number})
    assert response.status_code == 302 and response["Location"] == "/home/"


def test_school_search_by_keyword(world, api_client, client):
    names = [s["name"] for s in api_client.get("/auth/schools", q="示例").json()]
    assert names == ["安徽示例大学"]
    assert api_client.get("/auth/schools", q="").json() == []
    fragment = client.get("/login/schools/", {"school_keyword": "江淮"}).content.decode()
    assert "江淮理工学院" in fragment and "安徽示例大学" not in fragment
