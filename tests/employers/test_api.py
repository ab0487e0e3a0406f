"""用人单位账号 API: registration and its refusals (nothing stored half-done), sub-accounts,
profile edits per state, and the staff's review / suspend / reinstate with who may decide."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.accounts.models import Role, User
from apps.audit.models import AuditEntry
from apps.employers.models import EmployerMember, MemberStatus
from apps.employers.services import REGISTER_LIMIT
from apps.notifications.models import Notification
from apps.organisations.models import Employer, EmployerStatus
from tests import factories as f
from tests.employers.conftest import code, licence, registration

pytestmark = pytest.mark.django_db


def register(world, *, files=True, address="10.9.9.9", **overrides):
    data = registration(world, **overrides)
    if files:
        data["licence"] = licence() if files is True else files
    return Client(REMOTE_ADDR=address).post("/api/v1/employers/register", data)


def api_for(user) -> Client:
    from apps.accounts.services import api_token_issue

    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user)}")


def stored_nothing(media) -> bool:
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return not Employer.objects.filter(name="合肥新创软件有限公司").exists() and not User.objects.filter(
        username="hr-zhang").exists() and not EmployerMember.objects.exists() and not files


def test_registration_makes_a_pending_unit_with_its_main_account(world, private_media):
    response = register(world)
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["sub_account"] is False and body["active"] is True and body["employer_status"] == "pending"
    employer = Employer.objects.get(credit_code=code())
    assert employer.status == EmployerStatus.PENDING and employer.registered_at is not None
    assert employer.verifier_province == world.province and employer.verifier_school is None
    assert employer.licence and employer.licence_width == 640
    assert employer.division_id == "340104" and employer.contact_mobile == "13955510001"
    user = User.objects.get(username="hr-zhang")
    assert user.role == Role.EMPLOYER and user.employer == employer and user.is_active
    assert EmployerMember.objects.get(user=user).is_main
    entry = AuditEntry.objects.get(action="employer.register")
    assert "13955510001" not in str(entry.changes)  # the mobile is masked in the audit trail

    me = api_for(user).get("/api/v1/employers/me").json()
    assert me["state"]["title"] == "待审核" and me["is_main_account"] is True
    assert me["contact_mobile"] == "13955510001"  # the unit reads its own number in full


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"credit_code": "91340100MA2NREG1X0"}, "credit_code", "统一社会信用代码校验位不正确，请核对"),
    ({"credit_code": "913401"}, "credit_code", "统一社会信用代码应为18位"),
    ({"password": "123"}, "password", None),
    ({"contact_mobile": "1395551000"}, "contact_mobile", "请输入正确的11位手机号码"),
    ({"division": "340100"}, "division", "所在地须选择到具体的区县"),
    ({"nature_code": "zz"}, "nature_code", "不是有效的单位性质"),
    ({"verifier": "school:999999"}, "verifier", "请选择省级认证或一所院校"),
    ({"name": "软" * 201}, "name", "不超过200个字"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(world, private_media, overrides, field, message):
    response = register(world, **overrides)
    assert response.status_code == 400
    body = response.json()
    assert field in body["error"]["fields"]
    if message:
        assert body["error"]["fields"][field] == message
    assert stored_nothing(private_media)


def test_fake_and_oversize_licences_are_refused(world, private_media):
    fake = register(world, files=SimpleUploadedFile("licence.jpg", b"not a picture at all", content_type="image/jpeg"))
    assert fake.status_code == 400
    assert fake.json()["error"]["fields"]["licence"] == "文件不是有效的图片，仅支持JPG、PNG、WEBP、GIF格式"
    big = register(world, files=SimpleUploadedFile("licence.jpg", b"\xff" * (15 * 1024 * 1024 + 1),
                                                   content_type="image/jpeg"))
    assert big.status_code == 400
    assert big.json()["error"]["fields"]["licence"] == "图片过大，请上传不超过15MB的图片"
    missing = register(world, files=False)
    assert missing.json()["error"]["fields"]["licence"] == "请上传营业执照图片"
    assert stored_nothing(private_media)


def test_letter_first_credit_code_is_accepted_and_flagged(world):
    from stdnum.cn import uscc

    body = "Y1340100MA2NREG1X"
    letter_first = body + uscc.calc_check_digit(body)
    assert register(world, credit_code=letter_first).status_code == 201
    assert Employer.objects.get(credit_code=letter_first).credit_code_flagged


def test_unit_known_only_from_signing_is_taken_over(world):
    card_unit = Employer.objects.create(credit_code=code(), name="旧名称", status=EmployerStatus.UNREGISTERED)
    assert register(world).status_code == 201
    card_unit.refresh_from_db()
    assert card_unit.status == EmployerStatus.PENDING and card_unit.name == "合肥新创软件有限公司"
    assert User.objects.get(username="hr-zhang").employer == card_unit
    assert Employer.objects.count() == 2  # world.employer and the one taken over


def test_same_credit_code_registers_a_sub_account_the_main_account_approves(world):
    main = User.objects.get(pk=register(world).json()["user_id"])
    response = register(world, username="hr-li", contact_name="李专员", contact_mobile="13955510002",
                        files=False, name="", address="")
    assert response.status_code == 201
    body = response.json()
    assert body["sub_account"] is True and body["active"] is False
    member = EmployerMember.objects.get(user__username="hr-li")
    assert member.status == MemberStatus.PENDING and not member.user.is_active
    assert member.employer == main.employer
    assert Notification.objects.filter(employer=main.employer, title="新的子账号申请").exists()

    # the pending sub-account is told why it cannot log in
    login = Client().post("/api/v1/auth/staff/login", {"username": "hr-li", "password": "Anhui#2026pass"},
                          content_type="application/json")
    assert login.status_code == 400 and "账号待主账号审核" in login.json()["error"]["message"]
    wrong = Client().post("/api/v1/auth/staff/login", {"username": "hr-li", "password": "wrong-pass"},
                          content_type="application/json")
    assert wrong.json()["error"]["message"] == "用户名或密码错误"  # no status without the password

    # only the main account decides
    other_member = api_for(world.employer_user).post(f"/api/v1/employers/members/{member.pk}/decide",
                                                     {"approve": True}, content_type="application/json")
    assert other_member.status_code == 404
    listed = api_for(main).get("/api/v1/employers/members").json()["items"]
    assert [m["username"] for m in listed] == ["hr-zhang", "hr-li"]
    decided = api_for(main).post(f"/api/v1/employers/members/{member.pk}/decide", {"approve": True},
                                 content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    member.user.refresh_from_db()
    assert member.user.is_active
    again = api_for(main).post(f"/api/v1/employers/members/{member.pk}/decide", {"approve": False},
                               content_type="application/json")
    assert again.status_code == 400
    # an approved sub-account logs in, reads the unit, and cannot decide or edit
    sub = User.objects.get(username="hr-li")
    assert api_for(sub).get("/api/v1/employers/me").json()["is_main_account"] is False
    assert api_for(sub).post("/api/v1/employers/me", {"address": "别处"}).status_code == 403


def test_refused_sub_account_reads_a_clear_message(world):
    main = User.objects.get(pk=register(world).json()["user_id"])
    register(world, username="hr-li", files=False)
    member = EmployerMember.objects.get(user__username="hr-li")
    api_for(main).post(f"/api/v1/employers/members/{member.pk}/decide", {"approve": False},
                       content_type="application/json")
    login = Client().post("/api/v1/auth/staff/login", {"username": "hr-li", "password": "Anhui#2026pass"},
                          content_type="application/json")
    assert "未通过该子账号的申请" in login.json()["error"]["message"]


def test_duplicate_login_name_is_refused(world, private_media):
    register(world)
    again = register(world, credit_code=code("91340100MA2NREG2X"))
    assert again.status_code == 400 and again.json()["error"]["fields"]["username"] == "该登录名已被使用，请换一个"
    assert Employer.objects.filter(credit_code=code("91340100MA2NREG2X")).count() == 0


def test_registrations_are_throttled_per_address(world, settings):
    for number in range(REGISTER_LIMIT):
        register(world, files=False, username=f"user-{number}", address="10.7.7.7", contact_mobile="1")
    refused = register(world, address="10.7.7.7")
    assert refused.status_code == 429 and "注册次数过多" in refused.json()["error"]["message"]
    assert register(world, address="10.7.7.8").status_code == 201


def _pending(world, *, school=None, credit="91340100MA2NPEN1X", name="待审核单位"):
    return f.make_employer(code(credit), name, status=EmployerStatus.PENDING, verifier_school=school,
                           province=world.province)


def test_province_reviews_province_verifications(world):
    employer = _pending(world)
    staff = api_for(world.province_admin)
    rejected = staff.post(f"/api/v1/employers/{employer.pk}/review", {"approve": False, "reason": ""},
                          content_type="application/json")
    assert rejected.status_code == 400 and rejected.json()["error"]["message"] == "请填写驳回原因"
    approved = staff.post(f"/api/v1/employers/{employer.pk}/review", {"approve": True},
                          content_type="application/json")
    assert approved.status_code == 200 and approved.json()["state"]["title"] == "已认证"
    assert Notification.objects.filter(employer=employer, kind="employer.review", title="单位认证已通过").exists()
    twice = staff.post(f"/api/v1/employers/{employer.pk}/review", {"approve": True}, content_type="application/json")
    assert twice.status_code == 400


def test_school_reviews_only_its_own_verifications(world):
    mine = _pending(world, school=world.school)
    theirs = _pending(world, school=world.other_school, credit="91340100MA2NPEN2X", name="外校认证单位")
    province_level = _pending(world, credit="91340100MA2NPEN3X", name="省级认证单位")
    school = api_for(world.school_admin)
    listed = school.get("/api/v1/employers/").json()
    assert [i["id"] for i in listed["items"]] == [mine.pk]
    assert school.get(f"/api/v1/employers/{theirs.pk}").status_code == 404
    assert school.post(f"/api/v1/employers/{theirs.pk}/review", {"approve": True},
                       content_type="application/json").status_code == 404
    assert school.post(f"/api/v1/employers/{province_level.pk}/review", {"approve": True},
                       content_type="application/json").status_code == 404
    # the province sees the school's verification but leaves the decision to the school
    assert api_for(world.province_admin).post(f"/api/v1/employers/{mine.pk}/review", {"approve": True},
                                              content_type="application/json").status_code == 403
    rejected = school.post(f"/api/v1/employers/{mine.pk}/review", {"approve": False, "reason": "营业执照不清晰"},
                           content_type="application/json")
    assert rejected.json()["state"]["title"] == "已驳回" and "营业执照不清晰" in rejected.json()["state"]["text"]
    theirs.refresh_from_db()
    assert theirs.status == EmployerStatus.PENDING


def test_college_staff_graduates_and_employers_have_no_access(world):
    employer = _pending(world, school=world.school)
    for user in (world.college_admin, world.graduate_user, world.employer_user):
        client = api_for(user)
        assert client.get("/api/v1/employers/").status_code == 403
        assert client.post(f"/api/v1/employers/{employer.pk}/review", {"approve": True},
                           content_type="application/json").status_code == 403
    assert Client().get("/api/v1/employers/").status_code == 401


def test_staff_see_the_contact_mobile_masked(world):
    employer = _pending(world)
    employer.contact_mobile = "13955510009"
    employer.save()
    body = api_for(world.province_admin).get(f"/api/v1/employers/{employer.pk}").json()
    assert body["contact_mobile"] == "139****0009"


def test_suspend_and_reinstate_through_the_api(world):
    staff = api_for(world.province_admin)
    no_reason = staff.post(f"/api/v1/employers/{world.employer.pk}/suspend", {"reason": " "},
                           content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["error"]["message"] == "请填写停用原因"
    done = staff.post(f"/api/v1/employers/{world.employer.pk}/suspend", {"reason": "虚假招聘"},
                      content_type="application/json")
    assert done.json()["state"]["title"] == "已停用" and "虚假招聘" in done.json()["state"]["text"]
    assert [a["code"] for a in done.json()["state"]["actions"]] == ["reinstate"]
    assert api_for(world.school_admin).post(f"/api/v1/employers/{world.employer.pk}/reinstate").status_code == 404
    back = staff.post(f"/api/v1/employers/{world.employer.pk}/reinstate")
    assert back.json()["status"] == "verified"


def test_profile_edits_follow_the_state(world):
    main = User.objects.get(pk=register(world).json()["user_id"])
    client = api_for(main)
    employer = main.employer
    # pending: everything may change
    renamed = client.post("/api/v1/employers/me", {"name": "合肥新创教育软件有限公司"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "合肥新创教育软件有限公司"
    # rejected: the save resubmits
    api_for(world.province_admin).post(f"/api/v1/employers/{employer.pk}/review",
                                       {"approve": False, "reason": "名称与执照不符"}, content_type="application/json")
    assert client.get("/api/v1/employers/me").json()["state"]["title"] == "已驳回"
    resubmitted = client.post("/api/v1/employers/me", {"name": "合肥新创软件有限公司", "licence": licence()})
    assert resubmitted.json()["status"] == "pending" and resubmitted.json()["status_reason"] == ""
    # verified: only contact, address, size and introduction
    api_for(world.province_admin).post(f"/api/v1/employers/{employer.pk}/review", {"approve": True},
                                       content_type="application/json")
    locked = client.post("/api/v1/employers/me", {"name": "别的名字"})
    assert locked.status_code == 400 and "已认证单位只能修改" in locked.json()["error"]["message"]
    moved = client.post("/api/v1/employers/me", {"address": "合肥市包河区新地址1号", "contact_mobile": "13955510003"})
    assert moved.status_code == 200 and moved.json()["address"] == "合肥市包河区新地址1号"
    assert moved.json()["status"] == "verified" and moved.json()["name"] == "合肥新创软件有限公司"
    bad = client.post("/api/v1/employers/me", {"contact_mobile": "12"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["contact_mobile"] == "请输入正确的11位手机号码"


def test_who_decides_is_answered_before_the_missing_reason(world):
    employer = _pending(world, school=world.school)
    refused = api_for(world.province_admin).post(f"/api/v1/employers/{employer.pk}/review",
                                                 {"approve": False, "reason": ""}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "该单位申请由院校认证，由该院校审核"
