"""毕业去向登记 by the graduate: every category's form, the employer block checks, locations,
proof images and the rules that lock a registration."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from apps.destinations import catalog
from apps.destinations.models import Destination, DestinationSource, DestinationStatus
from apps.destinations.selectors import destination_blocks_signing
from apps.organisations.models import SchoolPolicy
from tests import factories as f
from tests.destinations.builders import (
    LETTER_FIRST_CREDIT_CODE,
    SELECTABLE,
    VALID_CREDIT_CODE,
    credit_code,
    jpeg_bytes,
    make_destination,
    pixel_bomb_png,
    valid_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grad(open_window, as_user):
    return as_user(open_window.graduate_user)


def _register(grad, code="11", **overrides):
    r = grad.put("/destinations/mine", {**valid_data(code), **overrides})
    assert r.status_code == 200, r.json()
    return r.json()


# --- the categories -------------------------------------------------------------------------

def test_categories_are_public_and_carry_forms_and_proof_rules(reference, client):
    r = client.get("/api/v1/destinations/categories")
    assert r.status_code == 200
    by_code = {c["code"]: c for c in r.json()}
    assert sorted(c for c, v in by_code.items() if v["selectable"]) == SELECTABLE
    labour = by_code["11"]
    assert labour["name"] == "签劳动合同形式就业" and labour["group"] == "就业"
    assert {"field": "credit_code", "label": "统一社会信用代码", "required": True, "kind": "credit",
            "code_table": ""} in labour["fields"]
    assert "劳动合同" in labour["proof"] and labour["proof_required"] is True
    assert by_code["701"]["allows_signing"] is True and by_code["701"]["fields"] == []
    assert by_code["801"]["parent_code"] == "80"


def test_the_test_list_of_selectable_categories_matches_the_catalog(reference):
    assert sorted(c.code for c in catalog.selectable_categories()) == SELECTABLE


@pytest.mark.parametrize("code", SELECTABLE)
def test_every_selectable_category_saves_and_refuses_a_missing_required_field(grad, world, code):
    category = catalog.category(code)
    body = _register(grad, code)
    assert body["status"] == DestinationStatus.DRAFT and body["editable"] is True
    saved = body["destination"]
    assert saved["category_code"] == code and saved["category_name"] == category.name
    assert set(saved["fields"]) == set(category.field_names)
    for field in category.fields:
        assert saved["fields"][field.field], field.field
    assert Destination.objects.get(graduate=world.graduate).category_code == code

    for field in (field for field in category.fields if field.required):
        data = valid_data(code)
        data[field.field] = ""
        r = grad.put("/destinations/mine", data)
        assert r.status_code == 400, field.field
        error = r.json()["error"]
        assert error["code"] == "invalid"
        assert field.label in error["fields"][field.field]
        assert list(error["fields"]) == [field.field]


def test_switching_category_clears_the_fields_of_the_old_one(grad, world):
    _register(grad, "11")
    body = _register(grad, "801")
    d = Destination.objects.get(graduate=world.graduate)
    assert d.unit_name == "" and d.credit_code == "" and d.sign_date is None
    assert d.study_school == "中国科学技术大学" and d.unit_division_id == "340104"
    assert set(body["destination"]["fields"]) == {"study_school", "study_major", "unit_division"}


def test_an_unselectable_or_unknown_category_is_refused(grad):
    for code in ("27", "70", "999", ""):
        r = grad.put("/destinations/mine", {"category_code": code})
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_category", code


# --- employer block -----------------------------------------------------------------------------

def test_letter_first_credit_code_with_a_correct_check_character_is_accepted_and_flagged(grad, world):
    body = _register(grad, "11", credit_code=LETTER_FIRST_CREDIT_CODE.lower())
    assert body["destination"]["credit_code_flagged"] is True
    d = Destination.objects.get(graduate=world.graduate)
    assert d.credit_code == LETTER_FIRST_CREDIT_CODE and d.credit_code_flagged
    body = _register(grad, "11", credit_code=VALID_CREDIT_CODE)
    assert body["destination"]["credit_code_flagged"] is False


@pytest.mark.parametrize("bad, message", [
    (VALID_CREDIT_CODE[:-1] + ("0" if VALID_CREDIT_CODE[-1] != "0" else "1"), "校验位不正确"),
    (credit_code("Y1340100MA2N8Q7K0")[:-1] + "1", "校验位不正确"),
    ("91340100MA2N8Q7K", "应为18位"),
    ("91340100MA2N8Q7KOC", "不允许的字符"),
])
def test_a_bad_credit_code_is_refused(grad, bad, message):
    r = grad.put("/destinations/mine", {**valid_data("11"), "credit_code": bad})
    assert r.status_code == 400
    assert message in r.json()["error"]["fields"]["credit_code"]


@pytest.mark.parametrize("code", ["340100", "340000", "999999"])
def test_a_location_above_county_level_is_refused(grad, code):
    r = grad.put("/destinations/mine", {**valid_data("11"), "unit_division": code})
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["unit_division"] == "单位所在地须选择到具体的区县"


def test_an_unknown_code_table_value_is_refused(grad):
    r = grad.put("/destinations/mine", {**valid_data("11"), "unit_nature_code": "ZZ"})
    assert r.status_code == 400 and r.json()["error"]["fields"]["unit_nature_code"] == "单位性质不是有效的选项"


def test_a_bad_contact_phone_and_date_are_refused(grad):
    r = grad.put("/destinations/mine", {**valid_data("11"), "unit_contact_phone": "12345", "sign_date": "2026-13-01"})
    fields = r.json()["error"]["fields"]
    assert fields["unit_contact_phone"] == "请输入正确的手机号码或固定电话"
    assert fields["sign_date"] == "日期格式应为YYYY-MM-DD"


def test_abroad_requires_the_foreign_language_names(grad, world):
    r = grad.put("/destinations/mine", {**valid_data("85"), "abroad_school_foreign": "", "abroad_major_foreign": ""})
    fields = r.json()["error"]["fields"]
    assert fields == {"abroad_school_foreign": "请填写留学院校外文名称", "abroad_major_foreign": "请填写留学专业外文名称"}
    r = grad.put("/destinations/mine", {**valid_data("85"), "abroad_school_foreign": "牛津大学"})
    assert r.json()["error"]["fields"]["abroad_school_foreign"] == "留学院校外文名称请使用外文填写"
    body = _register(grad, "85", abroad_school_foreign="Technische Universität München")
    assert body["destination"]["fields"]["abroad_school_foreign"] == "Technische Universität München"
    assert Destination.objects.get(graduate=world.graduate).country_region == "英国"


# --- proof images -----------------------------------------------------------------------------

def test_images_need_a_saved_registration_first(grad):
    r = grad.upload(jpeg_bytes())
    assert r.status_code == 400 and r.json()["error"]["code"] == "no_destination"


def test_up_to_four_images_and_a_fifth_is_refused(grad, world):
    _register(grad)
    for n in range(4):
        r = grad.upload(jpeg_bytes(color=(n * 40, 80, 120)), name=f"合同{n}.jpg")
        assert r.status_code == 201, r.json()
        assert r.json()["url"] == f"/api/v1/destinations/images/{r.json()['id']}"
    r = grad.upload(jpeg_bytes())
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "too_many_images", "message": "最多上传4张图片", "fields": {}}
    assert Destination.objects.get(graduate=world.graduate).images.count() == 4
    assert len(grad.get("/destinations/mine").json()["destination"]["images"]) == 4


def test_stored_images_are_clean_and_small(grad, world):
    _register(grad)
    big = Image.effect_noise((3000, 2000), 60).convert("RGB")
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "TestCamera"
    big.save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    assert len(buffer.getvalue()) > 300 * 1024
    r = grad.upload(buffer.getvalue(), name="../../etc/passwd.jpg")
    assert r.status_code == 201, r.json()
    image = Destination.objects.get(graduate=world.graduate).images.get()
    assert image.size <= 300 * 1024 and image.original_name == "passwd.jpg"
    assert image.file.name.startswith(f"proof/{world.school.pk}/") and "passwd" not in image.file.name
    with default_storage.open(image.file.name) as handle:
        stored = Image.open(handle)
        assert not stored.getexif()


def test_a_text_file_renamed_jpg_is_refused(grad, world):
    _register(grad)
    r = grad.upload("这不是图片".encode() * 100, name="合同.jpg")
    assert r.status_code == 400 and r.json()["error"]["code"] == "image_invalid"
    assert not Destination.objects.get(graduate=world.graduate).images.exists()


def test_a_pixel_bomb_is_refused(grad, world):
    _register(grad)
    bomb = pixel_bomb_png()
    assert len(bomb) < 2 * 1024 * 1024
    r = grad.upload(bomb, name="bomb.png", content_type="image/png")
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "image_too_many_pixels", "message": "图片像素过大，请压缩后再上传", "fields": {}}


def test_an_image_can_be_deleted_before_submission_but_not_after(grad, world, as_user,
                                                                 django_capture_on_commit_callbacks):
    _register(grad)
    first = grad.upload(jpeg_bytes()).json()["id"]
    second = grad.upload(jpeg_bytes(color=(1, 2, 3))).json()["id"]
    stored = Destination.objects.get(graduate=world.graduate).images.get(pk=first).file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert grad.delete(f"/destinations/mine/images/{first}").status_code == 204
    assert not default_storage.exists(stored)
    # someone else's image id looks like a missing one
    other = as_user(world.stranger_user)
    assert other.delete(f"/destinations/mine/images/{second}").status_code == 404
    assert as_user(world.college_admin).delete(f"/destinations/mine/images/{second}").status_code == 403
    assert grad.post("/destinations/mine/submit").status_code == 200
    r = grad.delete(f"/destinations/mine/images/{second}")
    assert r.status_code == 400 and r.json()["error"]["code"] == "submitted"
    r = grad.upload(jpeg_bytes())
    assert r.status_code == 400 and r.json()["error"]["code"] == "submitted"


def test_image_file_is_served_to_the_owner_and_reviewers_in_scope_only(grad, world, as_user):
    _register(grad)
    image_id = grad.upload(jpeg_bytes()).json()["id"]
    path = f"/destinations/images/{image_id}"
    r = grad.get(path)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg" and r["Cache-Control"] == "private, no-store"
    assert as_user(world.college_admin).get(path).status_code == 200
    assert as_user(world.school_admin).get(path).status_code == 200
    for outsider in (world.other_college_admin, world.other_school_admin, world.stranger_user, world.employer_user):
        assert as_user(outsider).get(path).status_code == 404


# --- submission and locks -------------------------------------------------------------------------

def test_submit_needs_proof_when_the_category_requires_it(grad):
    _register(grad, "11")
    r = grad.post("/destinations/mine/submit")
    assert r.status_code == 400 and r.json()["error"]["code"] == "proof_missing"
    assert "劳动合同" in r.json()["error"]["message"]
    _register(grad, "701")  # 求职中: no proof
    r = grad.post("/destinations/mine/submit")
    assert r.status_code == 200 and r.json()["status"] == DestinationStatus.SUBMITTED


def test_no_edits_while_waiting_for_review(grad, world):
    _register(grad, "701")
    grad.post("/destinations/mine/submit")
    r = grad.put("/destinations/mine", valid_data("11"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "submitted"
    d = Destination.objects.get(graduate=world.graduate)
    assert d.status == DestinationStatus.SUBMITTED and d.category_code == "701"
    assert grad.post("/destinations/mine/submit").json()["error"]["code"] == "already_submitted"
    mine = grad.get("/destinations/mine").json()
    assert mine["editable"] is False and "等待院系审核" in mine["edit_block_reason"]


@pytest.mark.parametrize("status", [DestinationStatus.COLLEGE_APPROVED, DestinationStatus.SCHOOL_APPROVED])
def test_editing_while_approved_is_refused(grad, world, status):
    make_destination(world.graduate, status=status)
    r = grad.put("/destinations/mine", valid_data("12"))
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "locked" and f"就业信息状态为“{DestinationStatus(status).label}”，不能修改" in error["message"]
    assert grad.upload(jpeg_bytes()).json()["error"]["code"] == "locked"
    image = Destination.objects.get(graduate=world.graduate).images.get()
    assert grad.delete(f"/destinations/mine/images/{image.pk}").json()["error"]["code"] == "locked"
    mine = grad.get("/destinations/mine").json()
    assert mine["editable"] is False and mine["status_label"] == DestinationStatus(status).label


def test_after_the_cutoff_a_save_is_refused_with_the_date(grad, world):
    cutoff = timezone.localdate() - timedelta(days=1)
    SchoolPolicy.objects.filter(school=world.school).update(destination_cutoff_on=cutoff)
    r = grad.put("/destinations/mine", valid_data("11"))
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "after_cutoff"
    assert f"{cutoff:%Y年%m月%d日}" in error["message"]
    assert not Destination.objects.filter(graduate=world.graduate).exists()
    assert grad.get("/destinations/mine").json()["edit_block_reason"] == error["message"]


def test_without_a_school_setting_the_cutoff_is_31_august_of_the_cohort_year(world, as_user):
    """The national rule (教学厅〔2023〕5号): a cohort whose 31 August has passed is refused."""
    from apps.organisations.policy import policy_for

    cohort = world.school.current_cohort
    assert policy_for(world.school, cohort).destination_cutoff_on == date(cohort, 8, 31)
    old = f.make_graduate(college=world.college, name="往届生", cohort=2020)
    r = as_user(f.graduate_user(old)).put("/destinations/mine", valid_data("11"))
    assert r.status_code == 400 and "2020年08月31日" in r.json()["error"]["message"]


def test_an_online_signed_destination_cannot_be_changed(grad, world):
    make_destination(world.graduate, code="10", status=DestinationStatus.DRAFT, source=DestinationSource.ONLINE_SIGNING)
    r = grad.put("/destinations/mine", valid_data("11"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "online_signed"
    assert "网络解约" in r.json()["error"]["message"]
    assert grad.upload(jpeg_bytes()).json()["error"]["code"] == "online_signed"
    assert grad.post("/destinations/mine/submit").json()["error"]["code"] == "online_signed"


def test_destination_blocks_signing(grad, world):
    assert destination_blocks_signing(world.graduate.pk) is None
    _register(grad, "11")
    assert destination_blocks_signing(world.graduate.pk) is not None
    _register(grad, "701")
    assert destination_blocks_signing(world.graduate.pk) is None


# --- roles -------------------------------------------------------------------------------------

def test_roles_and_anonymous(world, as_user, client, open_window):
    assert client.get("/api/v1/destinations/mine").status_code == 401
    for staff in (world.college_admin, world.school_admin, world.employer_user):
        assert as_user(staff).get("/destinations/mine").status_code == 403
        assert as_user(staff).put("/destinations/mine", valid_data("11")).status_code == 403
    for outsider in (world.graduate_user, world.employer_user):
        assert as_user(outsider).get("/destinations/").status_code == 403
    # province staff read the list (read only); nobody outside the reviewers approves
    assert as_user(world.province_admin).get("/destinations/").status_code == 200
    for outsider in (world.graduate_user, world.province_admin, world.employer_user):
        assert as_user(outsider).post("/destinations/batch-approve", {"ids": [1]}).status_code == 403


def test_the_api_is_documented(reference, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/destinations/categories", "/api/v1/destinations/mine", "/api/v1/destinations/mine/images",
                 "/api/v1/destinations/mine/images/{image_id}", "/api/v1/destinations/mine/submit",
                 "/api/v1/destinations/", "/api/v1/destinations/{destination_id}",
                 "/api/v1/destinations/{destination_id}/approve", "/api/v1/destinations/{destination_id}/return",
                 "/api/v1/destinations/batch-approve"):
        assert path in paths, path
    assert paths["/api/v1/destinations/mine"]["put"]["tags"] == ["毕业去向登记"]
