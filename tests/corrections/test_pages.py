"""The pages: the graduate's 去纠错 form, list and detail; the staff queue, detail and decisions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.corrections.models import Correction, CorrectionStatus
from apps.corrections.services import correction_file
from apps.graduates.models import Graduate
from tests import factories as f
from tests.corrections.conftest import png, valid_id_number


@pytest.fixture
def graduate_client(world, client):
    client.force_login(world.graduate_user)
    return client


@pytest.fixture
def staff_client(world, client):
    client.force_login(world.school_admin)
    return client


def test_register_page_links_to_the_list(world, graduate_client):
    assert reverse("correction-list") in graduate_client.get(reverse("graduate-register")).content.decode()


def test_origin_page_links_lead_to_the_form_with_the_field_chosen(world, graduate_client):
    origin = graduate_client.get("/register/origin/").content.decode()
    assert 'href="/register/corrections/new/?field=ethnicity_code"' in origin
    page = graduate_client.get("/register/corrections/new/?field=ethnicity_code").content.decode()
    assert 'id="c-kind">基本信息<' in page and 'id="c-field">民族<' in page
    assert '<select id="proposed_value-select" name="proposed_value"' in page and ">回族</option>" in page
    assert 'accept="image/*" capture="environment" multiple' in page
    enrolment = graduate_client.get("/register/corrections/new/?field=exam_number").content.decode()
    assert 'id="c-kind">学籍信息<' in enrolment and 'id="proposed_value-input"' in enrolment
    college = graduate_client.get("/register/corrections/new/?field=college").content.decode()
    assert "外国语学院" in college and "机械学院" not in college  # only the own school's colleges


def test_id_number_form_shows_the_current_value_masked(world, graduate_client):
    page = graduate_client.get("/register/corrections/new/?field=id_number").content.decode()
    assert world.graduate.masked_id_number in page and world.graduate.id_number not in page


def test_without_a_field_the_graduate_chooses_what_to_correct(world, graduate_client):
    page = graduate_client.get("/register/corrections/new/").content.decode()
    assert 'id="choose-target"' in page and 'href="?field=name"' in page and 'href="?kind=archive"' in page
    assert 'href="?field=phone"' not in page
    editable = graduate_client.get("/register/corrections/new/?field=phone").content.decode()
    assert 'id="editable-notice"' in editable and 'id="choose-target"' in editable
    free = graduate_client.get("/register/corrections/new/?kind=destination").content.decode()
    assert 'id="c-kind">毕业去向信息<' in free and 'id="correction-form"' in free
    assert 'id="choose-target"' in graduate_client.get("/register/corrections/new/?kind=basic").content.decode()


def test_filing_through_the_form(world, graduate_client):
    r = graduate_client.post("/register/corrections/new/?field=ethnicity_code", {
        "kind": "basic", "field": "ethnicity_code", "proposed_value": "03", "explanation": "户口簿为回族",
        "images": [png("a.png"), png("b.png")],
    })
    c = Correction.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("correction-detail", args=[c.pk])
    detail = graduate_client.get(r["Location"]).content.decode()
    assert "待处理" in detail and f"最晚 {c.promised_by.month}月{c.promised_by.day}日" in detail
    assert "预计2-3个工作日内处理" in detail
    for image in c.images.all():
        url = reverse("correction-image", args=[c.pk, image.pk])
        assert url in detail
        assert graduate_client.get(url).status_code == 200
    listing = graduate_client.get("/register/corrections/").content.decode()
    assert "基本信息 · 民族" in listing and "→ 回族" in listing and "2张图片" in listing


def test_a_refused_form_keeps_the_input_and_shows_the_message(world, graduate_client):
    r = graduate_client.post("/register/corrections/new/", {
        "field": "id_number", "proposed_value": "340104200305170000", "explanation": "号码错了"})
    page = r.content.decode()
    assert r.status_code == 200 and "身份证号：身份证号不正确" in page and "号码错了" in page
    r = graduate_client.post("/register/corrections/new/", {
        "field": "name", "proposed_value": "王晓明", "explanation": "", "images": [png()]})
    assert 'id="error-explanation">请填写说明<' in r.content.decode()
    assert not Correction.objects.exists()


def test_the_graduate_sees_staffs_reply_and_can_withdraw(world, graduate_client):
    from apps.corrections.services import correction_reject

    c = correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic", field="name",
                        proposed_value="王晓明", explanation="错字")
    correction_reject(actor=world.school_admin, correction=c, reason="与身份证一致，无需修改")
    page = graduate_client.get("/register/corrections/").content.decode()
    assert "未采纳" in page and "老师回复：与身份证一致，无需修改" in page and "最晚" not in page
    pending = correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic", field="name",
                              proposed_value="王晓明", explanation="再次确认")
    r = graduate_client.post(reverse("correction-withdraw", args=[pending.pk]))
    assert r.status_code == 302 and Correction.objects.get(pk=pending.pk).status == CorrectionStatus.WITHDRAWN


def test_graduate_pages_of_someone_else_are_404(world, client):
    c = correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic", field="name",
                        proposed_value="王晓明", explanation="错字", images=[png()])
    image = c.images.get()
    client.force_login(world.stranger_user)
    assert client.get(reverse("correction-detail", args=[c.pk])).status_code == 404
    assert client.get(reverse("correction-image", args=[c.pk, image.pk])).status_code == 404
    assert client.post(reverse("correction-withdraw", args=[c.pk])).status_code == 404
    client.force_login(world.other_school_admin)
    assert client.get(reverse("staff-correction-detail", args=[c.pk])).status_code == 404
    assert client.get(reverse("correction-image", args=[c.pk, image.pk])).status_code == 404
    assert client.post(reverse("staff-correction-accept", args=[c.pk])).status_code == 404
    client.force_login(world.other_college_admin)
    assert client.post(reverse("staff-correction-reject", args=[c.pk]), {"reason": "x"}).status_code == 404
    assert Correction.objects.get(pk=c.pk).status == CorrectionStatus.PENDING


def test_wrong_roles_get_403_on_staff_pages(world, client):
    c = correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic", field="name",
                        proposed_value="王晓明", explanation="错字")
    client.force_login(world.graduate_user)
    assert client.get(reverse("staff-corrections")).status_code == 403
    assert client.post(reverse("staff-correction-accept", args=[c.pk])).status_code == 403
    client.force_login(world.employer_user)
    assert client.get(reverse("staff-corrections")).status_code == 403
    client.force_login(world.province_admin)
    assert client.post(reverse("staff-correction-accept", args=[c.pk])).status_code == 403
    assert client.get(reverse("staff-correction-detail", args=[c.pk])).status_code == 200  # read only
    client.force_login(world.school_admin)
    assert client.get(reverse("correction-list")).status_code == 403
    client.logout()
    assert client.get(reverse("staff-corrections"))["Location"].startswith("/staff/login/")
    assert Correction.objects.get(pk=c.pk).status == CorrectionStatus.PENDING


def test_staff_queue_detail_accept_and_reject(world, staff_client):
    new_id = valid_id_number(654)
    c = correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic", field="id_number",
                        proposed_value=new_id, explanation="身份证号错一位", images=[png()])
    queue = staff_client.get(reverse("staff-corrections")).content.decode()
    assert f'data-correction="{c.pk}"' in queue and "基本信息 · 身份证号" in queue
    assert new_id not in queue and world.graduate.id_number not in queue
    assert c.proposed_display in queue and world.graduate.masked_id_number in queue
    detail = staff_client.get(reverse("staff-correction-detail", args=[c.pk])).content.decode()
    assert 'id="accept-form"' in detail and reverse("correction-image", args=[c.pk, c.images.get().pk]) in detail
    assert new_id not in detail
    r = staff_client.post(reverse("staff-correction-accept", args=[c.pk]), {"note": ""})
    assert r.status_code == 302 and r["Location"] == reverse("staff-corrections")
    assert Graduate.objects.get(pk=world.graduate.pk).id_number == new_id
    again = staff_client.post(reverse("staff-correction-accept", args=[c.pk]), {"note": ""})
    assert again.status_code == 400 and "该反馈已处理" in again.content.decode()
    assert 'id="accept-form"' not in staff_client.get(reverse("staff-correction-detail", args=[c.pk])).content.decode()

    other = correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic", field="name",
                            proposed_value="王晓明", explanation="错字")
    r = staff_client.post(reverse("staff-correction-reject", args=[other.pk]), {"reason": ""})
    assert r.status_code == 400 and "请填写未采纳的原因" in r.content.decode()
    staff_client.post(reverse("staff-correction-reject", args=[other.pk]), {"reason": "请提供户口簿照片"})
    assert Correction.objects.get(pk=other.pk).status == CorrectionStatus.REJECTED
    done = staff_client.get(reverse("staff-corrections"), {"status": "all"}).content.decode()
    assert "已采纳" in done and "未采纳" in done
    assert 'id="no-corrections"' in staff_client.get(reverse("staff-corrections")).content.decode()


def test_the_history_page_shows_the_correction_trail(world, client):
    from apps.corrections.services import correction_accept

    c = correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic", field="ethnicity_code",
                        proposed_value="03", explanation="户口簿为回族", images=[png()])
    correction_accept(actor=world.school_admin, correction=c, note="已核对")
    client.force_login(world.graduate_user)
    page = client.get(reverse("graduate-history")).content.decode()
    assert f"提交信息反馈#{c.pk}：基本信息 · 民族" in page and "申请更正：（空） → 回族" in page
    assert "证明材料：（空） → 1张图片" in page
    assert f"采纳信息反馈#{c.pk}：民族" in page and "民族：（空） → 回族" in page
    assert "状态：待处理 → 已采纳" in page and "处理说明：（空） → 已核对" in page


def test_staff_queue_filters(world, staff_client):
    correction_file(actor=world.graduate_user, graduate=world.graduate, kind="basic", field="name",
                    proposed_value="王晓明", explanation="错字")
    correction_file(actor=f.graduate_user(world.classmate), graduate=world.classmate, kind="other", field="",
                    proposed_value="其他问题", explanation="说明")
    url = reverse("staff-corrections")

    def rows(**params):
        return staff_client.get(url, params).content.decode().count("data-correction=")

    assert rows() == 2
    assert rows(kind="other") == 1
    assert rows(college=world.college.pk) == 1
    assert rows(q="李华") == 1 and rows(q=world.graduate.student_number) == 1
    assert rows(status="accepted") == 0 and rows(status="bogus") == 2
    assert 'href="/staff/corrections/"' in staff_client.get(url).content.decode()  # sidebar link


def test_staff_queue_query_count_is_constant(world, staff_client):
    def add(n):
        for i in range(n):
            g = f.make_graduate(college=world.college if i % 2 else world.other_college, name=f"学生{n}{i}")
            correction_file(actor=f.graduate_user(g), graduate=g, kind="basic", field="ethnicity_code",
                            proposed_value="03", explanation="说明", images=[png()])

    url = reverse("staff-corrections")
    add(1)
    staff_client.get(url)  # warm the code-label cache
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(url).content.decode().count("data-correction=") == 1
    add(4)
    with CaptureQueriesContext(connection) as five:
        assert staff_client.get(url).content.decode().count("data-correction=") == 5
    assert len(one) == len(five)
