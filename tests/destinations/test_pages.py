"""The pages: the graduate's registration form and the staff queue and detail."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.destinations.models import Destination, DestinationStatus
from tests import factories as f
from tests.destinations.builders import jpeg_bytes, make_destination, valid_data

pytestmark = pytest.mark.django_db
S = DestinationStatus


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def page(open_window):
    return _client(open_window.graduate_user)


def _text(response) -> str:
    return response.content.decode()


def test_unregistered_page_shows_the_notes_and_the_grouped_categories(page):
    r = page.get("/register/destination/")
    assert r.status_code == 200
    html = _text(r)
    assert 'id="status-badge">未登记<' in html
    assert "准备网签的毕业生，无需本人在此页面中登记毕业去向，否则无法网签" in html
    assert "已网签的毕业生毕业去向不可修改" in html
    assert re.findall(r'<optgroup label="([^"]+)"', html) == ["就业", "升学", "未就业"]
    assert 'value="27"' not in html and 'value="70"' not in html  # not selectable
    assert 'id="destination-form"' in html and 'id="save-button"' not in html


def test_the_chosen_category_renders_its_form(page):
    html = _text(page.get("/register/destination/?category=11"))
    assert '<label for="f-unit_name" class="required">单位名称</label>' in html
    assert '<label for="f-unit_contact">单位联系人</label>' in html  # optional: not red
    assert '<label for="unit_nature_code-select" class="required">单位性质</label>' in html
    assert '<label for="unit_division-province" class="required">单位所在地</label>' in html
    assert 'name="unit_division"' in html and 'type="date" id="f-sign_date"' in html
    assert "审核依据：</strong>与用人单位签订的劳动合同" in html
    assert "实习证明、见习证明不能作为就业证明材料" in html
    assert 'id="save-first"' in html and 'id="upload-form"' not in html and 'id="submit-button"' not in html

    html = _text(page.get("/register/destination/?category=801"))
    assert '<label for="f-study_school" class="required">升学院校</label>' in html
    assert '<label for="unit_division-province" class="required">升学院校所在地</label>' in html
    assert "研究生录取通知书" in html and 'id="f-unit_name"' not in html
    html = _text(page.get("/register/destination/?category=701"))
    assert 'id="no-fields"' in html and 'id="four-donts"' not in html


def test_save_errors_are_shown_beside_the_fields(page, world):
    r = page.post("/register/destination/", {**valid_data("11"), "credit_code": "91340100MA2N8Q7K01",
                                             "unit_division": "340100", "unit_name": ""})
    assert r.status_code == 200
    html = _text(r)
    assert 'id="form-error"' in html
    assert '<div class="error" id="unit_name-error">请填写单位名称</div>' in html
    assert "统一社会信用代码校验位不正确" in html and "单位所在地须选择到具体的区县" in html
    assert 'value="合肥示例科技有限公司"' not in html  # the emptied field stays empty
    assert not Destination.objects.filter(graduate=world.graduate).exists()


def test_save_upload_delete_and_submit_through_the_page(page, world, django_capture_on_commit_callbacks):
    r = page.post("/register/destination/", valid_data("11"))
    assert r.status_code == 302 and r["Location"] == "/register/destination/"
    html = _text(page.get("/register/destination/"))
    assert 'id="status-badge">未提交<' in html and 'id="upload-form"' in html
    assert 'capture="environment"' in html and 'accept="image/*"' in html and "multiple" in html
    assert 'id="image-count">0/4<' in html

    files = [SimpleUploadedFile(f"p{n}.jpg", jpeg_bytes(color=(n, n, n)), "image/jpeg") for n in range(3)]
    r = page.post("/register/destination/images/", {"images": files})
    assert r.status_code == 302
    d = Destination.objects.get(graduate=world.graduate)
    assert d.images.count() == 3
    html = _text(page.get("/register/destination/"))
    assert 'id="image-count">3/4<' in html and html.count('class="secondary delete-image"') == 3
    for image in d.images.all():
        assert f'src="/destinations/images/{image.pk}/"' in html

    # two more files: one fits, the other is refused with the reason
    files = [SimpleUploadedFile(f"q{n}.jpg", jpeg_bytes(), "image/jpeg") for n in range(2)]
    html = _text(page.post("/register/destination/images/", {"images": files}, follow=True))
    assert "已上传1张证明材料" in html and "q1.jpg：最多上传4张图片" in html and 'id="images-full"' in html

    first = d.images.first()
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/register/destination/images/{first.pk}/delete/")
    assert d.images.count() == 3

    html = _text(page.post("/register/destination/submit/", follow=True))
    assert "已提交审核" in html and 'id="status-badge">待审核<' in html
    assert '<p id="state-explanation">已提交，等待院系初审；审核期间不能修改。</p>' in html
    assert 'id="destination-form"' not in html and 'id="destination-readonly"' in html
    assert 'class="secondary delete-image"' not in html and 'id="upload-form"' not in html
    assert "合肥示例科技有限公司" in html and "安徽省合肥市蜀山区" in html
    assert "提交毕业去向：签劳动合同形式就业" in html  # 办理记录
    # a save posted anyway is refused with the reason
    html = _text(page.post("/register/destination/", valid_data("12")))
    assert "已提交待审核，不能修改" in html


def test_returned_page_shows_the_reason_and_the_form(page, world):
    make_destination(world.graduate, status=S.RETURNED, return_reason="请上传单位盖章页")
    html = _text(page.get("/register/destination/"))
    assert 'id="status-badge">退回<' in html and "退回原因：请上传单位盖章页" in html
    assert 'id="destination-form"' in html and 'id="submit-button"' in html


def test_pages_need_the_graduate_role(world, open_window):
    assert Client().get("/register/destination/").status_code == 302
    r = _client(world.college_admin).get("/register/destination/")
    assert r.status_code == 403
    assert _client(world.graduate_user).get("/staff/destinations/").status_code == 403
    # province staff read the list (read only, tests/test_papercuts.py); reviewing is refused
    assert _client(world.province_admin).post("/staff/destinations/batch-approve/").status_code == 403


def test_image_view_checks_permission(world, open_window):
    d = make_destination(world.graduate)
    image = d.images.get()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    default_storage.save(image.file.name, ContentFile(jpeg_bytes()))
    url = f"/destinations/images/{image.pk}/"
    for user in (world.graduate_user, world.college_admin, world.school_admin):
        r = _client(user).get(url)
        assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    for user in (world.stranger_user, world.other_college_admin, world.other_school_admin, world.employer_user):
        assert _client(user).get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_staff_queue_page_filters_and_links(world, open_window):
    mine = make_destination(world.graduate, credit_code_flagged=True)
    make_destination(world.classmate)
    college = _client(world.college_admin)
    html = _text(college.get("/staff/destinations/"))
    assert "共 1 条" in html and world.graduate.name in html and world.classmate.name not in html
    assert f'href="/staff/destinations/{mine.pk}/?next=' in html and "待核验" in html
    assert '<option value="submitted" selected>待审核</option>' in html
    html = _text(college.get("/staff/destinations/", {"status": "college_approved"}))
    assert "共 0 条" in html
    school = _client(world.school_admin)
    html = _text(school.get("/staff/destinations/"))
    assert '<option value="college_approved" selected>初审通过</option>' in html and "共 0 条" in html
    html = _text(school.get("/staff/destinations/", {"status": "all", "college": world.other_college.pk}))
    assert "共 1 条" in html and world.classmate.name in html and "英语" in html
    assert 'href="/staff/destinations/"' in _text(school.get("/staff/"))  # sidebar 去向审核


def test_staff_detail_and_review_through_the_page(world, open_window):
    d = make_destination(world.graduate, unit_contact_phone="13812345678")
    Destination.objects.filter(pk=d.pk).update(unit_division_id="340104")
    world.graduate.phone = "13998765432"
    world.graduate.save()
    college = _client(world.college_admin)
    html = _text(college.get(f"/staff/destinations/{d.pk}/?next=/staff/destinations/%3Fstatus%3Dall"))
    assert "139****5432" in html and "13998765432" not in html
    assert f'href="/staff/graduates/{world.graduate.pk}/history/"' in html
    assert "安徽省合肥市蜀山区" in html and 'id="image-viewer"' in html and 'id="approve-button"' in html
    assert 'href="/staff/destinations/?status=all" id="back-to-queue"' in html
    html = _text(college.get(f"/staff/destinations/{d.pk}/?next=javascript:alert(1)"))
    assert "javascript:" not in html

    r = college.post(f"/staff/destinations/{d.pk}/review/", {"action": "return", "reason": ""}, follow=True)
    assert "退回时请填写原因" in _text(r)
    assert Destination.objects.get(pk=d.pk).status == S.SUBMITTED
    r = college.post(f"/staff/destinations/{d.pk}/review/",
                     {"action": "approve", "next": "/staff/destinations/?status=all"})
    assert r.status_code == 302 and r["Location"] == "/staff/destinations/?status=all"
    assert Destination.objects.get(pk=d.pk).status == S.COLLEGE_APPROVED
    r = college.post(f"/staff/destinations/{d.pk}/review/", {"action": "approve", "next": "https://evil.example/"})
    assert r["Location"] == f"/staff/destinations/{d.pk}/"  # refused: back to the detail with the message

    school = _client(world.school_admin)
    r = school.post(f"/staff/destinations/{d.pk}/review/", {"action": "return", "reason": "单位名称有误"})
    assert r.status_code == 302 and r["Location"] == "/staff/destinations/"
    d.refresh_from_db()
    assert d.status == S.RETURNED and d.return_reason == "单位名称有误"
    assert _client(world.other_college_admin).get(f"/staff/destinations/{d.pk}/").status_code == 404
    assert _client(world.other_college_admin).post(f"/staff/destinations/{d.pk}/review/",
                                                   {"action": "approve"}).status_code == 404


def test_batch_approve_through_the_page(world, open_window):
    ready = [make_destination(f.make_graduate(college=world.college, name=f"甲{n}")) for n in range(2)]
    draft = make_destination(f.make_graduate(college=world.college, name="草稿生"), status=S.DRAFT)
    college = _client(world.college_admin)
    r = college.post("/staff/destinations/batch-approve/",
                     {"ids": [d.pk for d in ready] + [draft.pk, world.classmate.pk * 1000],
                      "next": "/staff/destinations/?status=all"}, follow=True)
    html = _text(r)
    assert "已批量通过2条记录" in html and "草稿生" in html and "当前状态为“未提交”，不能审核" in html
    assert "1条记录不存在或无权访问" in html
    assert r.redirect_chain[-1][0] == "/staff/destinations/?status=all"
    assert sorted(Destination.objects.filter(status=S.COLLEGE_APPROVED).values_list("pk", flat=True)) == sorted(
        d.pk for d in ready)
    assert "请先勾选" in _text(college.post("/staff/destinations/batch-approve/", {}, follow=True))


def test_register_tab_links_to_the_page(page):
    assert 'href="/register/destination/"' in _text(page.get("/register/"))


def test_college_admin_filters_by_own_majors(world, open_window):
    other_major = f.make_major(world.college, "网络工程", "080903")
    make_destination(world.graduate)
    make_destination(f.make_graduate(college=world.college, major=other_major, name="网工生"))
    college = _client(world.college_admin)
    html = _text(college.get("/staff/destinations/"))
    assert "共 2 条" in html and f'<option value="{other_major.pk}"' in html and "英语" not in html
    html = _text(college.get("/staff/destinations/", {"major": other_major.pk}))
    assert "共 1 条" in html and "网工生" in html
    html = _text(college.get("/staff/destinations/", {"major": world.other_major.pk}))  # not theirs: nothing
    assert "共 0 条" in html
