"""Queries per request on the graduate hot pages (issue 9): a constant, small number that
does not grow with the notices or invitations shown, and the reference version read at
most once per request even with the database cache (the embedded default).

Before the reference snapshot and select_related (counted on the same data, locmem cache):
home 7, 生源信息 10, 去向登记 12, 网签 invitations 7+1 per invitation; API graduates/me 4,
destinations/mine 6, signing/invitations 4+1 per invitation; with the database cache one
more statement per code label (8–9 per page, 3 per invitation on the API).

Then (2026-12-01/02, the school policy read once per school per request, the invitations page's
count and agreement folded into the graduate's row): 去向登记 9 → 7, 网签 invitations 7 → 4,
API destinations/mine 7 → 5; a destination save (PUT) 20 → 16 statements besides the test's
savepoints (its school with the locked graduate, one audit chain-head read, no audit savepoint)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.destinations.models import DestinationStatus
from apps.notices.models import Notice
from apps.organisations.models import SchoolPolicy
from apps.reference.selectors import code_labels
from apps.signing import services as signing
from tests.destinations.builders import make_destination
from tests.signing.helpers import credit_code, make_ready, png, terms

# Statements per request after the fix (session, user, then the page's own sections).
PAGES = {
    "/home/": 5,  # session, user, graduate+school+college, 通知公告, 就业动态
    "/register/origin/": 3,  # session, user, graduate (+ relations); division picker from the snapshot
    "/register/destination/": 7,  # session, user, graduate, destination, images, school policy, history
    # session, user, graduate (+ unread count + agreement in force?), invitations; +1 with an agreement
    "/signing/invitations/": 4,
}
APIS = {
    "/graduates/me": 2,  # token+user, graduate (+ relations)
    "/destinations/mine": 5,  # token+user, graduate, destination, proof images, school policy (once)
    "/signing/invitations": 4,
}
# A destination save (PUT /destinations/mine), without the test transaction's savepoints: token+user,
# graduate; locked graduate+school, destination, school policy, UPDATE; registry outbox (the record's
# graduate, destination and archive — one to three reads —, sync UPDATE, INSERT); audit head
# (locked), INSERT entry, UPDATE head; the answer's destination and images. 14 on PostgreSQL.
SAVE_STATEMENTS = 16
DB_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "platform_cache"}}


def _first(table: str, scheme: str = "") -> str:
    return next(iter(code_labels(table, scheme)))


@pytest.fixture
def hot_graduate(world):
    """world.graduate with every coded field filled (each is a label on the pages), ready to sign."""
    SchoolPolicy.objects.update_or_create(school=world.school,
                                          defaults={"signing_opens_on": timezone.localdate() - timedelta(days=1)})
    graduate = make_ready(world.graduate)
    for name, table in [("gender_code", "gender"), ("ethnicity_code", "ethnicity"),
                        ("political_status_code", "political_status"), ("urban_rural_code", "urban_rural"),
                        ("training_mode_code", "training_mode"), ("hardship_code", "hardship"),
                        ("normal_student_code", "normal_student")]:
        setattr(graduate, name, _first(table))
    graduate.education_level_code = _first("education_level", "employment-xldm")
    graduate.save()
    return world


def _fill(world, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        for kind in ("notice", "news"):
            Notice.objects.create(school=world.school, kind=kind, title=f"第{i}号{kind}", body="正文",
                                  published_at=now - timedelta(minutes=i + 1), author=world.school_admin)
    for i in range(n):
        card, _ = signing.card_issue(actor=world.graduate_user)
        signing.invitation_create(card=card, data=terms(credit_code=credit_code(f"91340100MA2N8Q{i:03d}"),
                                                        unit_name=f"示例单位{i}"),
                                  certificate=png(), client_address=f"10.1.1.{i}")
    make_destination(world.graduate, code="11", status=DestinationStatus.DRAFT, images=0,
                     unit_nature_code=_first("unit_nature"), industry_code=_first("industry"),
                     position_category_code=_first("position_category"), unit_division_id="340104")


def _count(get, path):
    get(path)  # the first request may (re)build this process's reference snapshot
    with CaptureQueriesContext(connection) as ctx:
        response = get(path)
    assert response.status_code == 200, (path, response.status_code)
    return ctx.captured_queries


def _measure(world, client, api_client):
    client.force_login(world.graduate_user)
    api_client.login_as(world.graduate_user)
    pages = {path: _count(client.get, path) for path in PAGES}
    apis = {path: _count(api_client.get, path) for path in APIS}
    return pages, apis


@pytest.mark.parametrize("n", [1, 20])
def test_hot_pages_run_a_constant_small_number_of_queries(hot_graduate, client, api_client, n):
    _fill(hot_graduate, n)
    pages, apis = _measure(hot_graduate, client, api_client)
    assert {path: len(queries) for path, queries in pages.items()} == PAGES
    assert {path: len(queries) for path, queries in apis.items()} == APIS
    # what the graduate sees is still labelled and complete
    home = client.get("/home/").content.decode()
    assert hot_graduate.school.name in home and "第0号notice" in home and f"第{min(n, 5) - 1}号news" in home
    assert '<a href="/me/card/" id="home-card">二维码名片</a>' in home  # the card itself, not 我的
    assert "安徽省合肥市蜀山区" in client.get("/register/origin/").content.decode()


@pytest.mark.parametrize("n", [1, 20])
def test_with_the_database_cache_the_reference_version_is_read_once_per_request(hot_graduate, client,
                                                                                  api_client, settings, n):
    settings.CACHES = DB_CACHE
    call_command("createcachetable", verbosity=0)
    _fill(hot_graduate, n)
    pages, apis = _measure(hot_graduate, client, api_client)
    for path, queries in {**pages, **apis}.items():
        version_reads = [q for q in queries if "reference:version" in q["sql"]]
        assert len(version_reads) <= 1, (path, len(version_reads))
    # labels are used on the profile API: exactly one read there, and the total stays constant
    assert sum("reference:version" in q["sql"] for q in apis["/graduates/me"]) == 1
    cache_statements = {path: sum("platform_cache" in q["sql"] for q in queries)
                        for path, queries in {**pages, **apis}.items()}
    assert max(cache_statements.values()) <= 1, cache_statements


def test_a_destination_save_runs_a_small_fixed_number_of_statements(hot_graduate, api_client):
    _fill(hot_graduate, 1)
    api_client.login_as(hot_graduate.graduate_user)
    assert api_client.put("/destinations/mine", {"category_code": "702"}).status_code == 200  # first: sync row
    counts = []
    for code in ("701", "46", "702"):  # the same person saving again and switching category
        body = {"category_code": code}
        if code == "46":  # 应征义务兵: 入伍地 and 入伍时间 (a division label in the audit entry)
            body |= {"unit_division": "340104", "sign_date": "2026-07-01"}
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.put("/destinations/mine", body)
        assert response.status_code == 200, response.content
        assert response.json()["destination"]["category_code"] == code
        counts.append(sum(not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for q in ctx.captured_queries))
    # the same for the same kind of form; one more when it names a division (the 入伍地 is checked
    # against the division table); the registry outbox's part is its own (1–3 reads by version)
    assert counts[0] == counts[2] == counts[1] - 1, counts
    assert counts[1] <= SAVE_STATEMENTS + 1, counts
