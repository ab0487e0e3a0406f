"""简历维护 through the API: items added, changed, reordered and deleted by their owner only;
every wrong input refused with a Chinese message and nothing stored."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.resumes.models import Resume, ResumeItem
from apps.resumes.sections import MAX_ITEMS_PER_SECTION
from tests.resumes.conftest import EDUCATION, INTERNSHIP, SKILL, add

pytestmark = pytest.mark.django_db


def titles(api, section):
    sections = {s["key"]: s for s in api.get("/resumes/mine").json()["sections"]}
    return [i["title"] for i in sections[section]["items"]]


def test_first_item_creates_the_resume_and_shows_in_mine(world, graduate_api):
    assert not Resume.objects.filter(graduate=world.graduate).exists()
    item = add(graduate_api, EDUCATION)
    assert item["period"] == "2022-09 – 2026-06"
    mine = graduate_api.get("/resumes/mine").json()
    assert mine["basic"]["name"] == "王小明" and mine["basic"]["school"] == "安徽示例大学"
    assert mine["discoverable"] is False  # off by default
    assert titles(graduate_api, "education") == ["安徽示例大学"]
    assert "教育经历" not in mine["completeness"]["missing"]


def test_an_empty_end_month_reads_present(graduate_api):
    item = add(graduate_api, INTERNSHIP, end_month="")
    assert item["period"] == "2025-07 – 至今"


def test_completeness_counts_the_parts(world, graduate_api):
    world.graduate.phone = "13800001111"
    world.graduate.save()
    assert graduate_api.get("/resumes/mine").json()["completeness"]["percent"] == 20  # contact only
    add(graduate_api, EDUCATION)
    add(graduate_api, INTERNSHIP)
    add(graduate_api, SKILL)
    mine = graduate_api.get("/resumes/mine").json()
    assert mine["completeness"]["percent"] == 80
    assert mine["completeness"]["missing"] == ["自我评价"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"start_month": "2022-13"}, "start_month", "入学年月应为年-月，如 2022-09"),
    ({"start_month": "22-09"}, "start_month", "入学年月应为年-月，如 2022-09"),
    ({"end_month": "2021-06"}, "end_month", "毕业年月不能早于入学年月"),
    ({"start_month": ""}, "start_month", "请填写入学年月"),
    ({"title": ""}, "title", "请填写学校名称"),
    ({"title": "校" * 101}, "title", "学校名称不超过100个字"),
    ({"title": "校" * 10_000}, "title", "学校名称不超过100个字"),
    ({"description": "课" * 1001}, "description", "主修课程与成绩不超过1000个字"),
    ({"section": "hobby"}, "section", "请选择简历栏目"),
])
def test_bad_input_is_refused_and_nothing_stored(graduate_api, changes, field, message):
    response = graduate_api.post("/resumes/items", {**EDUCATION, **changes})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"][field] == message
    assert not ResumeItem.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="resume.").exists()


def test_a_section_holds_at_most_the_limit(graduate_api):
    for n in range(MAX_ITEMS_PER_SECTION):
        add(graduate_api, SKILL, title=f"软件{n}")
    response = graduate_api.post("/resumes/items", {**SKILL, "title": "再多一个"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == f"计算机与软件最多{MAX_ITEMS_PER_SECTION}条，请先删除不需要的条目"
    assert ResumeItem.objects.count() == MAX_ITEMS_PER_SECTION
    add(graduate_api, EDUCATION)  # another section is not full


def test_script_in_a_description_is_stored_as_text_and_escaped_on_the_page(graduate_api, client, world):
    add(graduate_api, INTERNSHIP, description="<script>alert(1)</script>")
    client.force_login(world.graduate_user)
    page = client.get("/me/resume/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_edit_changes_the_item_and_keeps_its_section(graduate_api):
    item = add(graduate_api, INTERNSHIP)
    response = graduate_api.put(f"/resumes/items/{item['id']}", {**INTERNSHIP, "role": "测试实习生"})
    assert response.status_code == 200 and response.json()["role"] == "测试实习生"
    moved = graduate_api.put(f"/resumes/items/{item['id']}", {**INTERNSHIP, "section": "project"})
    assert moved.status_code == 400
    assert ResumeItem.objects.get().section == "experience"


def test_reorder_moves_one_place_within_the_section(graduate_api):
    first = add(graduate_api, SKILL, title="甲")
    add(graduate_api, SKILL, title="乙")
    third = add(graduate_api, SKILL, title="丙")
    response = graduate_api.post(f"/resumes/items/{third['id']}/move", {"direction": "up"})
    assert response.status_code == 200
    assert titles(graduate_api, "software") == ["甲", "丙", "乙"]
    graduate_api.post(f"/resumes/items/{first['id']}/move", {"direction": "down"})
    assert titles(graduate_api, "software") == ["丙", "甲", "乙"]
    refused = graduate_api.post(f"/resumes/items/{third['id']}/move", {"direction": "up"})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "已经是第一条，无法上移"
    assert graduate_api.post(f"/resumes/items/{third['id']}/move", {"direction": "sideways"}).status_code == 422


def test_reorder_works_when_positions_are_equal(world, graduate_api):
    resume = Resume.objects.create(graduate=world.graduate)
    a = ResumeItem.objects.create(resume=resume, section="award", title="一等奖")
    b = ResumeItem.objects.create(resume=resume, section="award", title="二等奖")
    assert a.position == b.position == 0
    graduate_api.post(f"/resumes/items/{b.pk}/move", {"direction": "up"})
    assert titles(graduate_api, "award") == ["二等奖", "一等奖"]


def test_delete_removes_the_item(graduate_api):
    item = add(graduate_api, SKILL)
    assert graduate_api.delete(f"/resumes/items/{item['id']}").status_code == 204
    assert not ResumeItem.objects.exists()


def test_another_graduates_item_is_missing(world, graduate_api, api_client):
    from tests import factories as f

    item = add(graduate_api, EDUCATION, description="王小明的课程")
    other = f.graduate_user(world.classmate)
    api = api_client.login_as(other)
    assert api.put(f"/resumes/items/{item['id']}", EDUCATION).status_code == 404
    assert api.delete(f"/resumes/items/{item['id']}").status_code == 404
    assert api.post(f"/resumes/items/{item['id']}/move", {"direction": "down"}).status_code == 404
    assert api.get("/resumes/mine").json()["sections"][0]["items"] == []
    assert ResumeItem.objects.get().description == "王小明的课程"


def test_staff_and_employers_cannot_write_resumes(world, api_client):
    for user in (world.school_admin, world.employer_user):
        api = api_client.login_as(user)
        assert api.post("/resumes/items", EDUCATION).status_code == 403
        assert api.get("/resumes/mine").status_code == 403
    assert not ResumeItem.objects.exists()


def test_settings_switch_and_self_evaluation(world, graduate_api):
    from django.test import Client

    client = Client()
    client.force_login(world.graduate_user)
    answer = client.patch("/api/v1/resumes/settings", {"discoverable": True, "self_evaluation": "踏实肯干，乐于学习。"},
                          content_type="application/json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["discoverable"] is True and body["state"]["code"] == "discoverable"
    assert body["self_evaluation"] == "踏实肯干，乐于学习。"
    too_long = client.patch("/api/v1/resumes/settings", {"self_evaluation": "好" * 1001},
                            content_type="application/json")
    assert too_long.status_code == 400
    assert too_long.json()["error"]["fields"]["self_evaluation"] == "自我评价不超过1000个字"
    assert Resume.objects.get().self_evaluation == "踏实肯干，乐于学习。"


def test_audit_entries_do_not_copy_the_resume_text(world, graduate_api):
    from django.test import Client

    item = add(graduate_api, INTERNSHIP, description="非常私密的经历描述")
    graduate_api.put(f"/resumes/items/{item['id']}", {**INTERNSHIP, "description": "另一段私密描述"})
    client = Client()
    client.force_login(world.graduate_user)
    client.patch("/api/v1/resumes/settings", {"self_evaluation": "私密的自我评价"}, content_type="application/json")
    entries = list(AuditEntry.objects.filter(action__startswith="resume.").order_by("id"))
    assert [e.action for e in entries] == ["resume.item_add", "resume.item_edit", "resume.update"]
    dumped = repr([(e.summary, e.changes) for e in entries])
    for secret in ("私密", "合肥示例科技有限公司", "后端开发实习生"):
        assert secret not in dumped
    assert all(e.graduate_id == world.graduate.pk for e in entries)
