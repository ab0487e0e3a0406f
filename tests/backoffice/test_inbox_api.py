"""待办 API (/api/v1/inbox/): summaries per queue of the actor, a queue's items as a bounded page,
batch approval through the destinations' door; Chinese refusals for unknown or foreign queues."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.destinations.models import Destination, DestinationStatus
from tests.backoffice.test_inbox import correction, graduate, open_window  # noqa: F401 (fixture)
from tests.destinations.builders import make_destination

pytestmark = pytest.mark.django_db

S = DestinationStatus


def test_summary_lists_the_roles_queues_with_counts(world, api_client):
    make_destination(graduate(world), status=S.SUBMITTED)
    correction(graduate(world), promised_by=timezone.localdate() - timedelta(days=1))
    api_client.login_as(world.college_admin)
    response = api_client.get("/inbox/")
    assert response.status_code == 200
    queues = {q["key"]: q for q in response.json()["queues"]}
    assert set(queues) == {"destinations", "agreements", "terminations", "corrections", "recommendations"}
    assert queues["destinations"]["count"] == 1 and queues["destinations"]["batch_action"] == "批量通过"
    assert queues["destinations"]["has_promise"] is False and queues["destinations"]["overdue_percent"] is None
    assert (queues["corrections"]["overdue_count"], queues["corrections"]["overdue_label"]) == (1, "超期 100%")
    assert queues["terminations"]["count_label"] == "无待办"


def test_items_are_a_bounded_page_oldest_first(world, api_client):
    made = [make_destination(graduate(world), status=S.COLLEGE_APPROVED) for _ in range(3)]
    for age, d in zip((1, 3, 2), made, strict=True):
        Destination.objects.filter(pk=d.pk).update(submitted_at=timezone.now() - timedelta(days=age))
    api_client.login_as(world.school_admin)
    first = api_client.get("/inbox/destinations/", page_size=2).json()
    assert [i["id"] for i in first["items"]] == [made[1].pk, made[2].pk]
    assert first["has_next"] is True and first["count"] == 3 and first["label"] == "毕业去向审核"
    item = first["items"][0]
    assert item["who"] == f"{made[1].graduate.name}（{made[1].graduate.student_number}）"
    assert item["url"] == f"/staff/destinations/{made[1].pk}/"
    second = api_client.get("/inbox/destinations/", page=2, page_size=2).json()
    assert [i["id"] for i in second["items"]] == [made[0].pk] and second["has_next"] is False


def test_unknown_and_foreign_queues_are_refused_in_chinese(world, api_client):
    api_client.login_as(world.school_admin)
    response = api_client.get("/inbox/nosuchqueue/")
    assert response.status_code == 404 and response.json()["error"]["message"] == "没有这个待办类别"
    api_client.login_as(world.province_admin)
    response = api_client.get("/inbox/destinations/")
    assert response.status_code == 403 and response.json()["error"]["message"] == "该待办类别不由您办理"
    api_client.login_as(world.graduate_user)
    assert api_client.get("/inbox/").status_code == 403
    api_client.login_as(world.school_admin)
    response = api_client.post("/inbox/archives/batch-approve", {"ids": [1]})
    assert response.status_code == 404 and response.json()["error"]["message"] == "该待办类别不支持批量处理"


def test_batch_approve_through_the_api(world, api_client):
    mine = make_destination(graduate(world), status=S.SUBMITTED)
    theirs = make_destination(graduate(world, world.other_college, name="外院"), status=S.SUBMITTED)
    api_client.login_as(world.college_admin)
    audits = AuditEntry.objects.count()
    response = api_client.post("/inbox/destinations/batch-approve", {"ids": [mine.pk, theirs.pk]})
    assert response.status_code == 200
    assert response.json() == {"approved": 1, "refusals": ["1 条记录不存在或无权访问"]}
    assert Destination.objects.get(pk=mine.pk).status == S.COLLEGE_APPROVED
    assert Destination.objects.get(pk=theirs.pk).status == S.SUBMITTED
    assert AuditEntry.objects.count() == audits + 1
    response = api_client.post("/inbox/destinations/batch-approve", {"ids": []})
    assert response.status_code == 400 and response.json()["error"]["message"] == "请先勾选要处理的记录"
