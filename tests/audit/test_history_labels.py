"""信息变更记录 reads as people speak: Chinese labels, code names instead of codes, no
「（空）→（空）」 rows; the graduate page, the staff page and the history API agree."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.destinations import catalog
from apps.destinations.services import destination_save
from apps.graduates.services import graduate_confirm_origin, graduate_update
from apps.organisations.models import SchoolPolicy
from apps.reference.selectors import code_label
from tests.destinations.builders import valid_data
from tests.signing.helpers import accept, invite, make_ready

RAW_NAMES = ("contact_phone", "unit_nature_code", "industry_code", "position_category_code", "origin_confirmed",
             "category", "unit_name", "phone", "invitations_superseded")


@pytest.fixture
def lived(world):
    """A history written by the services: a destination saved twice, the phone changed, the
    origin confirmed, then an online signing (which registers category 70… by itself)."""
    SchoolPolicy.objects.update_or_create(school=world.school, defaults={
        "destination_cutoff_on": timezone.localdate() + timedelta(days=60)})
    g = world.graduate
    graduate_update(actor=world.graduate_user, graduate=g, changes={"origin_division": "340104"})
    graduate_update(actor=world.graduate_user, graduate=g, changes={"phone": "13812345678"})
    graduate_confirm_origin(actor=world.graduate_user, graduate=g)
    data = valid_data("11")
    destination_save(actor=world.graduate_user, graduate=g, category_code="11", data=data)
    destination_save(actor=world.graduate_user, graduate=g, category_code="701", data={})
    # online signing resets the destination to 签就业协议形式就业 (stored as a bare code)
    make_ready(g)
    invitation, _ = invite(g, world.graduate_user)
    accept(world.graduate_user, invitation)
    return world, data


def _page_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    body = html[html.index('id="history"'):]
    return re.sub(r"<[^>]+>", " ", body)


def _assert_readable(text: str, data: dict):
    for name in RAW_NAMES:
        assert re.search(rf"(?<![A-Za-z_]){name}(?![A-Za-z_])", text) is None, name
    assert "（空） → （空）" not in text and "（空）→（空）" not in text
    # codes turned into their names
    nature = code_label("unit_nature", data["unit_nature_code"])
    assert nature and nature != data["unit_nature_code"]
    assert f"单位性质：（空） → {nature}" in text
    assert "本人联系电话：（空） → 138****5678" in text  # masked as stored
    assert "生源确认：未确认 → 已确认" in text
    assert "毕业去向：（空） → 11 " in text
    assert re.search(r"毕业去向：11 \S+ → 701 \S+", text)
    # the online signing's bare code carries its category name too
    signed = catalog.online_signing_category_code()
    signed_name = catalog.category(signed).name
    assert f"毕业去向：（空） → {signed} {signed_name}" in text
    assert not re.search(r"→ \d+(\s|$)(?![\u4e00-\u9fff])", text)  # no bare code after an arrow
    assert "失效的其他邀约" not in text  # 0份 → 0份 changed nothing


def test_graduate_page_shows_labels_and_names(lived):
    world, data = lived
    client = Client()
    client.force_login(world.graduate_user)
    text = _page_text(client, "/me/history/")
    _assert_readable(re.sub(r"\s+", " ", text).replace(" ：", "："), data)


def test_staff_page_shows_labels_and_names(lived):
    world, data = lived
    client = Client()
    client.force_login(world.college_admin)
    text = _page_text(client, f"/staff/graduates/{world.graduate.pk}/history/")
    _assert_readable(re.sub(r"\s+", " ", text).replace(" ：", "："), data)


def test_api_rows_are_the_page_rows(lived, api_client):
    world, data = lived
    api_client.login_as(world.graduate_user)
    body = api_client.get("/graduates/me/history", page_size=100).json()
    rows = [r for item in body["items"] for r in item["rows"]]
    assert rows and all(set(r) == {"field", "label", "before", "after"} for r in rows)
    labels = {r["label"] for r in rows}
    assert not labels & set(RAW_NAMES)
    assert {"单位性质", "本人联系电话", "生源确认", "毕业去向"} <= labels
    assert all(r["before"] or r["after"] for r in rows)  # no empty → empty
    categories = [r["after"] for r in rows if r["label"] == "毕业去向"]
    assert all(re.match(r"^\d+ \S", value) for value in categories), categories
    # the staff API shows the same rows
    api_client.login_as(world.school_admin)
    staff = api_client.get(f"/graduates/{world.graduate.pk}/history", page_size=100).json()
    assert [i["rows"] for i in staff["items"]] == [i["rows"] for i in body["items"]]
