"""毕业生查询 at scale and the graduate's staff page: the list and the API answer with the same
number of statements whatever the filters and however many graduates match; the graduate page
shows every section (生源, 联系方式, 去向 and its history, 网签, 解约, 纠错, 档案, 操作记录), masks
personal numbers, links to where each is handled, and reads each section in one statement."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.archives.models import ArchiveTransfer
from apps.audit.services import audit_record
from apps.corrections.models import Correction
from apps.destinations.models import DestinationStatus
from apps.signing.models import Termination
from tests import factories as f
from tests.destinations.builders import make_destination
from tests.graduates.test_directory import agreement
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan

pytestmark = pytest.mark.django_db

FILTERS = [
    {},
    {"q": "批量"},
    {"q": "1234"},
    {"category": "11", "status": "submitted"},
    {"category": "none"},
    {"confirmed": "yes", "signed": "no"},
    {"province": "340000", "hardship": "2", "normal": "1"},
    {"level": "31", "cohort": "2027"},
]


def _statements(get, url, params) -> tuple[int, object]:
    get(url, params)  # the first request may load the reference snapshot
    with CaptureQueriesContext(connection) as ctx:
        response = get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response


def _matching(world, n, tag):
    """Graduates that every filter of FILTERS (but 未登记 / the keywords) finds."""
    for i in range(n):
        g = f.make_graduate(college=world.college, major=world.major, name=f"批量{tag}{i:02d}", hardship_code="2",
                            normal_student_code="1", origin_division_id="340104",
                            origin_confirmed_at=timezone.now())
        if i % 2:
            make_destination(g, code="11", status=DestinationStatus.SUBMITTED, images=0)


@pytest.mark.parametrize("persona", ["school_admin", "college_admin", "province_admin"])
def test_list_statements_do_not_grow_with_rows_or_filters(world, client, persona):
    client.force_login(getattr(world, persona))
    _matching(world, 35, "a")
    counts_small = {}
    for params in FILTERS:
        counts_small[repr(params)], _ = _statements(client.get, "/staff/graduates/", params)
    _matching(world, 40, "b")
    for params in FILTERS:
        large, response = _statements(client.get, "/staff/graduates/", params)
        # the bounded COUNT is skipped when the whole list fits on one page: at most one more
        assert counts_small[repr(params)] <= large <= counts_small[repr(params)] + 1, (params, counts_small, large)
        assert large <= max(counts_small.values()) + 1, (params, counts_small, large)
    html = response.content.decode()
    assert "批量" in html


@pytest.mark.parametrize("persona", ["school_admin", "province_admin"])
def test_api_statements_do_not_grow_with_rows_or_filters(world, api_client, persona):
    api_client.login_as(getattr(world, persona))

    def get(url, params):
        mapped = {{"province": "origin_province", "level": "education_level_code"}.get(k, k): v
                  for k, v in params.items()}
        return api_client.get(url, **mapped)

    _matching(world, 35, "a")
    small = {repr(p): _statements(get, "/directory/graduates", p)[0] for p in FILTERS}
    _matching(world, 40, "b")
    for params in FILTERS:
        large, _ = _statements(get, "/directory/graduates", params)
        assert small[repr(params)] <= large <= small[repr(params)] + 1, (params, small, large)


def test_list_rows_show_destination_state_confirmation_and_signing(world, client):
    make_destination(world.graduate, code="11", status=DestinationStatus.COLLEGE_APPROVED)
    agreement(world, world.graduate)
    world.graduate.origin_confirmed_at = timezone.now()
    world.graduate.save(update_fields=["origin_confirmed_at"])
    client.force_login(world.school_admin)
    html = client.get("/staff/graduates/", {"q": "王小明"}).content.decode()
    row = html.split('id="graduate-table"', 1)[1].split("</tbody>", 1)[0]
    for text in ("签劳动合同形式就业", "初审通过", "已确认", "已网签", world.graduate.masked_id_number):
        assert text in row, text
    assert 'id="export-xlsx"' in html and "/staff/graduates/export/?q=" in html  # 导出 Excel carries the filters


# --- the graduate page --------------------------------------------------------------------------

def _records(world, graduate, n=1):
    """n of each kind of record the graduate page shows."""
    for i in range(n):
        made = agreement(world, graduate, unit_name=f"单位{i}", status="terminated")
        Termination.objects.create(agreement=made, graduate=graduate, school_id=graduate.school_id,
                                   college_id=graduate.college_id, reason="family", explanation="家庭原因",
                                   status="approved")
        Correction.objects.create(graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id,
                                  kind="basic", field="name", explanation="姓名有误", status="rejected",
                                  promised_by=timezone.localdate() + timedelta(days=5))
        audit_record(actor=world.school_admin, action="graduate.update", summary=f"修改信息{i}", target=graduate,
                     school_id=graduate.school_id, college_id=graduate.college_id, graduate_id=graduate.pk,
                     changes={"phone": ["", "138****0000"]})


def _page_with_everything(world):
    graduate = world.graduate
    graduate.phone = "13812345678"
    graduate.family_contact_phone = "13987654321"
    graduate.origin_division_id = "340104"
    graduate.save()
    destination = make_destination(graduate, code="11", status=DestinationStatus.SUBMITTED,
                                   unit_contact_phone="13700001111")
    audit_record(actor=world.graduate_user, action="destination.submit", summary="提交毕业去向", target=destination,
                 school_id=graduate.school_id, college_id=graduate.college_id, graduate_id=graduate.pk,
                 changes={"status": ["未提交", "待审核"]})
    ArchiveTransfer.objects.create(graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id,
                                   receiving_unit_name="合肥市人才服务中心", address_division_id="340104",
                                   contact_phone="13600002222")
    _records(world, graduate)
    return graduate, destination


def test_the_graduate_page_shows_every_section(world, client):
    graduate, destination = _page_with_everything(world)
    client.force_login(world.school_admin)
    html = client.get(f"/staff/graduates/{graduate.pk}/").content.decode()
    for section in ("profile-sections", "destination-section", "destination-history", "invitations", "agreements",
                    "terminations", "corrections-section", "archive-section", "registry-entries", "audit-trail"):
        assert f'id="{section}"' in html, section
    for text in ("学籍信息", "基本信息", "联系方式", "安徽省合肥市蜀山区", "签劳动合同形式就业", "提交毕业去向",
                 "单位0", "合肥市人才服务中心", "修改信息0", "家庭原因"):
        assert text in html, text
    # personal numbers masked; the whole ones never reach the page
    for number in (graduate.id_number, "13812345678", "13987654321", "13700001111", "13600002222"):
        assert number not in html, number
    assert "138****5678" in html and graduate.masked_id_number in html
    # each section links to the page where it is handled
    for link in (f"/staff/destinations/{destination.pk}/", f"/staff/graduates/{graduate.pk}/history/",
                 "/staff/agreements/", "/staff/terminations/", "/staff/corrections/", "/staff/archives/"):
        assert link in html, link


def test_province_staff_get_no_links_to_pages_they_may_not_open(world, client):
    graduate, _ = _page_with_everything(world)
    client.force_login(world.province_admin)
    html = client.get(f"/staff/graduates/{graduate.pk}/").content.decode()
    assert "合肥市人才服务中心" in html and "家庭原因" in html
    assert "/staff/terminations/" not in html and "/staff/archives/" not in html
    assert "/staff/agreements/" in html  # province staff read agreements


def test_the_graduate_page_reads_each_section_once(world, client):
    graduate, _ = _page_with_everything(world)
    client.force_login(world.school_admin)
    url = f"/staff/graduates/{graduate.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _records(world, graduate, n=6)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries), (
        len(few.captured_queries), len(many.captured_queries))
    assert html.count("家庭原因") == 7


def test_api_detail_is_the_same_staff_view(world, api_client):
    graduate, destination = _page_with_everything(world)
    api_client.login_as(world.college_admin)
    body = api_client.get(f"/directory/graduates/{graduate.pk}").json()
    assert body["name"] == "王小明" and body["id_number_masked"] == graduate.masked_id_number
    assert body["destination"]["id"] == destination.pk and body["destination"]["status_label"] == "待审核"
    assert [e["summary"] for e in body["destination_history"]] == ["提交毕业去向"]
    assert body["archive"]["receiving_unit_name"] == "合肥市人才服务中心"
    assert len(body["agreements"]) == len(body["terminations"]) == len(body["corrections"]) == 1
    assert body["agreements"][0]["state"]["title"]
    assert {"group": "联系方式", "label": "本人联系电话", "value": "138****5678"} in body["profile"]
    text = repr(body)
    for number in (graduate.id_number, "13812345678", "13987654321", "13700001111", "13600002222"):
        assert number not in text, number
    assert any(e["summary"] == "修改信息0" for e in body["audit"])
    assert re.search(r"[\u4e00-\u9fff]", body["destination"]["state"]["title"])


# --- PostgreSQL: the filtered page is still read from the list index in its order -----------------

@needs_postgresql
@pytest.mark.parametrize("persona", ["school_admin", "college_admin", "province_admin"])
@pytest.mark.parametrize("params", [
    {}, {"category": "11", "status": "submitted"}, {"category": "none"}, {"signed": "yes"},
    {"confirmed": "no", "province": "340000", "hardship": "2"},
])
def test_filtered_pages_are_read_from_an_index_in_order(world, persona, params):
    from apps.graduates.selectors import directory_filters, graduates_list

    _matching(world, 20, "p")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    actor = getattr(world, persona)
    filters = directory_filters(actor=actor, origin_province=params.get("province", ""),
                                category=params.get("category", ""), status=params.get("status", ""),
                                confirmed=params.get("confirmed", ""), signed=params.get("signed", ""),
                                hardship=params.get("hardship", ""))
    assert_index_ordered(page_plan(graduates_list(actor=actor, filters=filters)), "graduates_graduate")
