"""管理员账号 (issue 14, part 4): who manages whose accounts, the refusals, the forced logout of a
disabled or reset account, the forced password change and the own-password change — through the
services and the pages, as the people who use them."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.models import ApiToken, Role, User
from apps.accounts.services import api_token_issue
from apps.audit.models import AuditEntry
from apps.backoffice import services_accounts as services
from apps.core.errors import DomainError, Forbidden, NotFound
from tests import factories as f

pytestmark = pytest.mark.django_db
STRONG = "Qiang2026mima"


def create_college_account(world, username="college-new", college=None):
    return services.staff_account_create(actor=world.school_admin, username=username, display_name="新管理员",
                                         college_id=(college or world.college).pk)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def audit_text(entry: AuditEntry) -> str:
    return f"{entry.summary} {entry.changes} {entry.actor_label}"


# --- create -------------------------------------------------------------------------------------

def test_school_admin_creates_a_college_account_that_must_change_its_password(world):
    account, password = create_college_account(world)
    assert (account.role, account.school_id, account.college_id) == (Role.COLLEGE_STAFF, world.school.pk,
                                                                       world.college.pk)
    assert account.must_change_password and account.check_password(password)
    assert services.password_refusal(password, account) == ""
    entry = AuditEntry.objects.get(action="staff_account.create")
    assert entry.school_id == world.school.pk and entry.actor_id == world.school_admin.pk
    assert password not in audit_text(entry)


def test_province_admin_creates_a_school_account_of_its_province_only(world):
    account, _ = services.staff_account_create(actor=world.province_admin, username="school-new",
                                               display_name="新学校管理员", school_id=world.other_school.pk)
    assert (account.role, account.school_id, account.college_id) == (Role.SCHOOL_STAFF, world.other_school.pk, None)
    elsewhere = f.make_school(province=f.make_province("32", "江苏省"))
    with pytest.raises(DomainError, match="不属于本省"):
        services.staff_account_create(actor=world.province_admin, username="school-far", display_name="外省",
                                      school_id=elsewhere.pk)


def test_create_refusals_are_chinese_and_change_nothing(world):
    create_college_account(world, username="taken")
    before = User.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError, match="用户名已被使用"):
        create_college_account(world, username="TAKEN")
    with pytest.raises(DomainError, match="所选院系不属于本校"):
        create_college_account(world, username="far", college=world.far_college)
    with pytest.raises(DomainError, match="请填写姓名"):
        services.staff_account_create(actor=world.school_admin, username="noname", display_name=" ",
                                      college_id=world.college.pk)
    with pytest.raises(DomainError, match="用户名只能包含"):
        create_college_account(world, username="bad/name")
    assert (User.objects.count(), AuditEntry.objects.count()) == before


def test_college_admin_and_graduates_manage_no_accounts(world):
    for actor in (world.college_admin, world.graduate_user, world.employer_user):
        with pytest.raises(Forbidden):
            services.staff_account_create(actor=actor, username="x-new", display_name="某人",
                                          college_id=world.college.pk)
        with pytest.raises(Forbidden):
            services.staff_account_disable(actor=actor, user_id=world.other_college_admin.pk, reason="离职")


# --- scope ----------------------------------------------------------------------------------------

def test_accounts_outside_scope_look_missing(world):
    # another school's college staff, a school admin (not a college account), a graduate
    far_college_admin = f.make_staff(Role.COLLEGE_STAFF, school=world.other_school, college=world.far_college)
    for user in (far_college_admin, world.other_school_admin, world.graduate_user, world.province_admin):
        with pytest.raises(NotFound):
            services.staff_account_disable(actor=world.school_admin, user_id=user.pk, reason="离职")
        with pytest.raises(NotFound):
            services.staff_account_reset_password(actor=world.school_admin, user_id=user.pk)
    # the province manages school accounts of its province, not college accounts
    with pytest.raises(NotFound):
        services.staff_account_disable(actor=world.province_admin, user_id=world.college_admin.pk, reason="离职")
    services.staff_account_disable(actor=world.province_admin, user_id=world.other_school_admin.pk, reason="离职")
    assert not User.objects.get(pk=world.other_school_admin.pk).is_active
    assert User.objects.get(pk=far_college_admin.pk).is_active


def test_nobody_disables_themselves(world):
    with pytest.raises(DomainError, match="不能停用自己的账号"):
        services.staff_account_disable(actor=world.school_admin, user_id=world.school_admin.pk, reason="测试")


def test_disable_needs_a_reason_and_enable_restores(world):
    with pytest.raises(DomainError, match="请填写停用原因"):
        services.staff_account_disable(actor=world.school_admin, user_id=world.college_admin.pk, reason="")
    services.staff_account_disable(actor=world.school_admin, user_id=world.college_admin.pk, reason="调岗")
    with pytest.raises(DomainError, match="已停用"):
        services.staff_account_disable(actor=world.school_admin, user_id=world.college_admin.pk, reason="调岗")
    services.staff_account_enable(actor=world.school_admin, user_id=world.college_admin.pk)
    assert User.objects.get(pk=world.college_admin.pk).is_active
    actions = list(AuditEntry.objects.filter(target_id=str(world.college_admin.pk)).order_by("position")
                   .values_list("action", flat=True))
    assert actions == ["staff_account.disable", "staff_account.enable"]


# --- forced logout ----------------------------------------------------------------------------------

def test_a_disabled_account_is_logged_out_at_its_next_request_and_its_token_refused(world):
    client = logged_in(world.college_admin)
    token = api_token_issue(world.college_admin)
    assert client.get("/staff/").status_code == 200
    assert Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    services.staff_account_disable(actor=world.school_admin, user_id=world.college_admin.pk, reason="离职")

    response = client.get("/staff/graduates/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    login_page = client.get(response["Location"])
    assert "账号已停用或登录已失效" in login_page.content.decode()
    assert client.get("/api/v1/auth/me").status_code == 401  # the session no longer opens the API either
    assert Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert not ApiToken.objects.filter(user=world.college_admin).exists()
    # and it cannot sign in again
    response = Client().post("/staff/login/", {"username": "college-a1", "password": f.PASSWORD})
    assert response.status_code == 400 and "用户名或密码错误" in response.content.decode()


def test_a_reset_password_ends_sessions_and_tokens_and_forces_a_change(world):
    client = logged_in(world.college_admin)
    token = api_token_issue(world.college_admin)
    account, temporary = services.staff_account_reset_password(actor=world.school_admin,
                                                               user_id=world.college_admin.pk)
    assert account.must_change_password
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    entry = AuditEntry.objects.get(action="staff_account.reset_password")
    assert temporary not in audit_text(entry) and f.PASSWORD not in audit_text(entry)

    # the temporary password signs in, and every staff page leads to 修改密码 until it is changed
    fresh = Client()
    response = fresh.post("/staff/login/", {"username": "college-a1", "password": temporary})
    assert response.status_code == 302
    for url in ("/staff/", "/staff/graduates/", "/staff/audit/"):
        response = fresh.get(url)
        assert response.status_code == 302 and response["Location"] == "/staff/password/", url
    page = fresh.get("/staff/password/").content.decode()
    assert "初始或临时密码" in page
    # the API does not hand a token to the temporary password
    api = Client().post("/api/v1/auth/staff/login", {"username": "college-a1", "password": temporary},
                        content_type="application/json")
    assert api.status_code == 400 and "修改初始密码" in api.json()["error"]["message"]

    response = fresh.post("/staff/password/", {"current_password": temporary, "new_password": STRONG,
                                               "new_password_again": STRONG})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert fresh.get("/staff/graduates/").status_code == 200
    assert not User.objects.get(pk=world.college_admin.pk).must_change_password


# --- own password -----------------------------------------------------------------------------------

def test_own_password_change_keeps_this_session_and_ends_the_others(world):
    here, elsewhere = logged_in(world.school_admin), logged_in(world.school_admin)
    token = api_token_issue(world.school_admin)
    response = here.post("/staff/password/", {"current_password": f.PASSWORD, "new_password": STRONG,
                                              "new_password_again": STRONG})
    assert response.status_code == 302
    assert here.get("/staff/").status_code == 200
    response = elsewhere.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    entry = AuditEntry.objects.get(action="staff_account.password_change")
    assert STRONG not in audit_text(entry) and f.PASSWORD not in audit_text(entry)
    assert User.objects.get(pk=world.school_admin.pk).check_password(STRONG)


@pytest.mark.parametrize(("current", "new", "again", "message"), [
    ("wrong-password", STRONG, STRONG, "当前密码不正确"),
    (None, STRONG, STRONG + "x", "两次输入的新密码不一致"),
    (None, "short1", "short1", "密码太短"),
    (None, "12345678901", "12345678901", "不能全是数字"),
    (None, "password123", "password123", "过于常见"),
    (None, None, None, "不能与当前密码相同"),
])
def test_own_password_refusals_are_chinese_and_change_nothing(world, current, new, again, message):
    client = logged_in(world.college_admin)
    response = client.post("/staff/password/", {"current_password": current or f.PASSWORD,
                                                "new_password": new or f.PASSWORD,
                                                "new_password_again": again or f.PASSWORD})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.get(pk=world.college_admin.pk).check_password(f.PASSWORD)
    assert not AuditEntry.objects.filter(action="staff_account.password_change").exists()


def test_guessing_the_current_password_is_throttled(world):
    client = logged_in(world.college_admin)
    for _ in range(services.PASSWORD_CHANGE_TRIES):
        client.post("/staff/password/", {"current_password": "guess", "new_password": STRONG,
                                         "new_password_again": STRONG})
    response = client.post("/staff/password/", {"current_password": f.PASSWORD, "new_password": STRONG,
                                                "new_password_again": STRONG})
    assert response.status_code == 429 and "尝试次数过多" in response.content.decode()
    assert User.objects.get(pk=world.college_admin.pk).check_password(f.PASSWORD)


# --- pages ------------------------------------------------------------------------------------------

def test_school_admin_pages_list_create_disable_and_reset(world, django_assert_max_num_queries):
    client = logged_in(world.school_admin)
    client.get("/staff/accounts/")  # warm the reference snapshot
    for n in range(5):
        create_college_account(world, username=f"college-list-{n}")
    with django_assert_max_num_queries(8):
        page = client.get("/staff/accounts/").content.decode()
    assert "college-a1" in page and "college-a2" in page and "college-list-4" in page
    assert "school-b" not in page and "待修改初始密码" in page
    filtered = client.get("/staff/accounts/", {"org": world.other_college.pk}).content.decode()
    assert "college-a2" in filtered and "college-a1" not in filtered

    response = client.post("/staff/accounts/new/", {"college_id": world.college.pk, "username": "made-by-page",
                                                    "display_name": "页面新建"})
    assert response.status_code == 200
    shown = response.content.decode()
    account = User.objects.get(username="made-by-page")
    password = shown.split('id="shown-password">')[1].split("<")[0]
    assert account.check_password(password) and "只显示这一次" in shown

    response = client.post("/staff/accounts/new/", {"college_id": world.far_college.pk, "username": "far-page",
                                                    "display_name": "外校"})
    assert response.status_code == 400 and "所选院系不属于本校" in response.content.decode()

    detail = f"/staff/accounts/{account.pk}/"
    assert "data-confirm" in client.get(detail).content.decode()
    response = client.post(f"{detail}disable/", {"reason": ""})
    assert response.status_code == 400 and "请填写停用原因" in response.content.decode()
    response = client.post(f"{detail}disable/", {"reason": "离职"})
    assert response.status_code == 302
    assert "已停用" in client.get(detail).content.decode()
    response = client.post(f"{detail}reset/")
    assert response.status_code == 200 and 'id="shown-password"' in response.content.decode()
    assert client.post(f"{detail}enable/").status_code == 302
    assert User.objects.get(pk=account.pk).is_active


def test_pages_refuse_other_roles_and_other_schools(world):
    assert logged_in(world.college_admin).get("/staff/accounts/").status_code == 403
    assert logged_in(world.other_school_admin).get(f"/staff/accounts/{world.college_admin.pk}/").status_code == 404
    response = logged_in(world.other_school_admin).post(f"/staff/accounts/{world.college_admin.pk}/disable/",
                                                        {"reason": "离职"})
    assert response.status_code == 404
    assert User.objects.get(pk=world.college_admin.pk).is_active
    province_list = logged_in(world.province_admin).get("/staff/accounts/").content.decode()
    assert "school-a" in province_list and "school-b" in province_list and "college-a1" not in province_list


def test_nav_shows_account_management_to_managers_and_password_to_every_staff(world):
    school_page = logged_in(world.school_admin).get("/staff/").content.decode()
    college_page = logged_in(world.college_admin).get("/staff/").content.decode()
    assert "账号管理" in school_page and "修改密码" in school_page and "操作日志" in school_page
    assert "账号管理" not in college_page and "修改密码" in college_page and "操作日志" in college_page
