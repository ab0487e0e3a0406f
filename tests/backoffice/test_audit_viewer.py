"""操作日志 (issue 14, part 5): scope, masking, filters, constant statements, and the 审计链校验
run on demand and kept with its time."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.audit.services import audit_record
from apps.backoffice import selectors_audit
from tests import factories as f
from tests.list_scale import needs_postgresql

pytestmark = pytest.mark.django_db
FULL_ID = "34010419900101123X"
FULL_PHONE = "13812345678"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def record(graduate, *, actor, action="graduate.update", summary="修改信息", changes=None):
    return audit_record(actor=actor, action=action, summary=summary, target=graduate, school_id=graduate.school_id,
                        college_id=graduate.college_id, graduate_id=graduate.pk, changes=changes or {})


@pytest.fixture
def trail(world):
    """One entry about each of three graduates: own college, another college, another school."""
    return {
        "own": record(world.graduate, actor=world.college_admin, summary="修改王小明的民族"),
        "other_college": record(world.classmate, actor=world.other_college_admin, summary="修改李华的民族"),
        "other_school": record(world.stranger, actor=world.other_school_admin, summary="修改赵强的民族"),
    }


def shown(client, **params) -> str:
    response = client.get("/staff/audit/", params)
    assert response.status_code in (200, 400)
    return response.content.decode()


def test_each_staff_role_reads_its_scope_only(world, trail):
    college = shown(logged_in(world.college_admin))
    assert "修改王小明的民族" in college
    assert "修改李华的民族" not in college and "修改赵强的民族" not in college  # never another college's graduates
    school = shown(logged_in(world.school_admin))
    assert "修改王小明的民族" in school and "修改李华的民族" in school and "修改赵强的民族" not in school
    province = shown(logged_in(world.province_admin))
    assert all(text in province for text in ("修改王小明的民族", "修改李华的民族", "修改赵强的民族"))
    assert logged_in(world.graduate_user).get("/staff/audit/").status_code == 403
    assert logged_in(world.employer_user).get("/staff/audit/").status_code == 403


def test_rows_show_chinese_labels_and_masked_changes(world):
    # written masked, as services do; and one that slipped through with full numbers
    record(world.graduate, actor=world.college_admin, changes={"phone": ["138****5678", "139****0000"]})
    record(world.graduate, actor=world.college_admin, summary=f"误写入的证件号{FULL_ID}",
           changes={"id_number": ["", FULL_ID], "phone": [FULL_PHONE, ""]})
    page = shown(logged_in(world.school_admin))
    assert FULL_ID not in page and FULL_PHONE not in page
    assert "3401**********123X" in page and "138****5678" in page
    assert "<td>修改毕业生信息</td>" in page and ">graduate.update<" not in page
    assert "王小明（2022010101）" in page
    api = logged_in(world.school_admin).get("/api/v1/audit/entries").content.decode()
    assert FULL_ID not in api and FULL_PHONE not in api


def test_filters(world, trail):
    client = logged_in(world.school_admin)
    by_actor = shown(client, actor="college-a2")
    assert "修改李华的民族" in by_actor and "修改王小明的民族" not in by_actor
    by_graduate = shown(client, student_number="2022010101")
    assert "修改王小明的民族" in by_graduate and "修改李华的民族" not in by_graduate
    # another school's student number finds nothing here
    assert "没有符合条件的操作记录" in shown(client, student_number="2022030303")
    record(world.graduate, actor=world.school_admin, action="graduate.pin_reset", summary="重置王小明的签约密码")
    by_action = shown(client, action="graduate.pin_reset")
    assert "重置王小明的签约密码" in by_action and "修改王小明的民族" not in by_action
    AuditEntry.objects.filter(pk=trail["own"].pk).update(occurred_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate()
    recent = shown(client, date_from=(today - timedelta(days=1)).isoformat(), date_to=today.isoformat())
    assert "修改李华的民族" in recent and "修改王小明的民族" not in recent
    backwards = shown(client, date_from=today.isoformat(), date_to=(today - timedelta(days=3)).isoformat())
    assert "开始日期不能晚于结束日期" in backwards


def test_page_statements_do_not_grow_with_entries(world, django_assert_max_num_queries):
    client = logged_in(world.school_admin)
    record(world.graduate, actor=world.college_admin)
    client.get("/staff/audit/")  # warm the reference snapshot

    def statements(count: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for n in range(count):
            record(world.graduate if n % 2 else world.classmate, actor=world.college_admin,
                   changes={"ethnicity_code": ["01", "03"]})
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/audit/", {"page": 1}).status_code == 200
        return len(captured)

    few = statements(3)
    many = statements(60)  # past one page: the bounded count runs now
    assert many <= few + 1
    with django_assert_max_num_queries(12):
        client.get("/staff/audit/", {"page": 2})


def test_chain_verification_runs_on_demand_and_keeps_its_result(world, trail, monkeypatch):
    client = logged_in(world.school_admin)
    calls = []
    real = selectors_audit.verify_school_chain
    monkeypatch.setattr(selectors_audit, "verify_school_chain",
                        lambda **kw: calls.append(kw) or real(**kw))
    page = shown(client)
    assert "尚未校验" in page and not calls  # a page view never walks the chain

    response = client.post("/staff/audit/verify/")
    assert response.status_code == 302 and len(calls) == 1
    page = shown(client)
    assert "审计链完整" in page and "上次校验" in page
    shown(client)
    assert len(calls) == 1

    # someone edits a row behind the platform's back: the next check says so
    AuditEntry.objects.filter(pk=trail["own"].pk).update(summary="被改动的记录")
    client.post("/staff/audit/verify/")
    assert "审计链校验未通过" in shown(client)


def test_college_admin_verifies_its_school_and_province_picks_a_school(world, trail):
    college = logged_in(world.college_admin)
    college.post("/staff/audit/verify/")
    assert "审计链完整" in shown(college)
    # the result is the school's: school staff see the same one
    assert "审计链完整" in shown(logged_in(world.school_admin))

    province = logged_in(world.province_admin)
    assert "请先在上方选择学校" in shown(province)
    response = province.post("/staff/audit/verify/", {"school_id": world.other_school.pk})
    assert response.status_code == 302 and f"school={world.other_school.pk}" in response["Location"]
    assert "审计链完整" in shown(province, school=world.other_school.pk)
    far = f.make_school(province=f.make_province("32", "江苏省"))
    assert province.post("/staff/audit/verify/", {"school_id": far.pk}).status_code == 404


def test_api_entries_and_verification(world, trail, api_client):
    api_client.login_as(world.college_admin)
    body = api_client.get("/audit/entries").json()
    assert [e["summary"] for e in body["items"]] == ["修改王小明的民族"]
    assert body["items"][0]["action_label"] == "修改毕业生信息"
    assert api_client.get("/audit/entries", action="no.such").status_code == 400
    assert api_client.get("/audit/verification").json()["checked"] is False
    verified = api_client.post("/audit/verify").json()
    assert verified["ok"] is True and verified["entries"] >= 1
    kept = api_client.get("/audit/verification").json()
    assert kept["checked"] is True and kept["checked_at"] == verified["checked_at"]
    api_client.login_as(world.province_admin)
    listed = api_client.get("/audit/entries", school_id=world.other_school.pk).json()
    assert [e["summary"] for e in listed["items"]] == ["修改赵强的民族"]
    api_client.login_as(world.graduate_user)
    assert api_client.get("/audit/entries").status_code == 403


# Province staff are left out: their scope is a join on the province's schools, and on a tiny
# table the planner may walk the schools by the plain school_id index and sort each school's few
# entries (seen in a fresh-clone run), a plan it does not pick on a filled table. Not measured at
# province scale yet (closing note of issue 14).
@needs_postgresql
@pytest.mark.parametrize(("persona", "index"), [
    ("college_admin", "audit_college_idx"), ("school_admin", "audit_school_idx"),
])
def test_postgresql_reads_the_page_from_the_scope_index_newest_first(world, trail, persona, index):
    """The (college|school, -occurred_at) index serves the order; only entries of the same
    millisecond are put in id order (an incremental sort of the ties, never a sort of the scope)."""
    from django.db import connection, transaction

    entries = selectors_audit.audit_entries(actor=getattr(world, persona), filters=selectors_audit.AuditFilters())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        plan = entries[:31].explain()
    assert re.search(rf"Index Scan using {index} on audit_auditentry", plan), plan
    assert "Seq Scan on audit_auditentry" not in plan, plan
    assert not re.search(r"(^|->)\s*Sort\s+\(cost", plan, flags=re.M), plan  # no full sort of the scope
    assert re.search(r"Presorted Key: .*audit_auditentry\.occurred_at", plan), plan
