"""Signing PIN (签约密码), unbind (解除绑定并重新登录) and staff login with lockout."""

from __future__ import annotations

import pytest
from django.test import override_settings

from apps.accounts.services import graduate_check_signing_pin
from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Throttled
from apps.graduates.models import Graduate
from tests import factories as f


@pytest.fixture
def fresh(world):
    """A graduate logging in for the first time: no PIN yet."""
    return world.classmate


def test_first_login_asks_for_a_pin_before_anything_else(fresh, client):
    response = client.post("/login/", {"school_id": fresh.school_id, "name": fresh.name,
                                       "student_number": fresh.student_number, "id_number": fresh.id_number})
    assert response["Location"] == "/me/pin/"
    assert client.get("/home/")["Location"] == "/me/pin/"
    response = client.post("/me/pin/", {"pin": "739164", "pin_again": "739164"})
    assert response["Location"] == "/home/"
    fresh.refresh_from_db()
    assert fresh.signing_pin_hash and "739164" not in fresh.signing_pin_hash
    assert client.get("/home/").status_code == 200


@pytest.mark.parametrize(
    "pin, again, message",
    [("12345", "12345", "签约密码须为6位数字"), ("abcdef", "abcdef", "签约密码须为6位数字"),
     ("739164", "739165", "两次输入的签约密码不一致"), ("111111", "111111", "签约密码过于简单，请勿使用重复或连续数字"),
     ("123456", "123456", "签约密码过于简单，请勿使用重复或连续数字")],
)
def test_bad_pins_are_refused_and_nothing_is_saved(fresh, api_client, pin, again, message):
    api_client.login_as(f.graduate_user(fresh))
    assert api_client.get("/auth/me").json()["pin_required"] is True
    response = api_client.post("/auth/me/pin", {"pin": pin, "pin_again": again})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    assert Graduate.objects.get(pk=fresh.pk).signing_pin_hash == ""


def test_pin_cannot_be_changed_through_the_login_triple(world, api_client):
    api_client.login_as(world.graduate_user)  # whoever holds the triple can log in…
    response = api_client.post("/auth/me/pin", {"pin": "975318", "pin_again": "975318"})
    assert response.status_code == 400  # …but cannot replace the graduate's PIN
    assert response.json()["error"]["code"] == "pin_already_set"
    graduate_check_signing_pin(graduate=world.graduate, pin="246810", client_address="x")  # old PIN still valid


@override_settings(LOGIN_THROTTLE_PER_ACCOUNT=3)
def test_wrong_pins_are_throttled(world):
    for _ in range(3):
        with pytest.raises(DomainError, match="签约密码错误"):
            graduate_check_signing_pin(graduate=world.graduate, pin="000001", client_address="x")
    with pytest.raises(Throttled):
        graduate_check_signing_pin(graduate=world.graduate, pin="246810", client_address="x")


def test_school_admin_resets_a_forgotten_pin_with_an_audit_entry(world, api_client):
    api_client.login_as(world.school_admin)
    assert api_client.post(f"/graduates/{world.graduate.pk}/reset-pin").status_code == 204
    assert Graduate.objects.get(pk=world.graduate.pk).signing_pin_hash == ""
    entry = AuditEntry.objects.get(action="graduate.pin_reset")
    assert entry.actor == world.school_admin and entry.graduate_id == world.graduate.pk


@pytest.mark.parametrize("who", ["college_admin", "other_school_admin", "province_admin", "graduate_user", "employer_user"])
def test_nobody_else_resets_a_pin(world, api_client, who):
    api_client.login_as(getattr(world, who))
    response = api_client.post(f"/graduates/{world.graduate.pk}/reset-pin")
    assert response.status_code in (403, 404)
    assert Graduate.objects.get(pk=world.graduate.pk).signing_pin_hash != ""


def test_unbind_clears_session_tokens_and_cached_pages(world, client, api_client):
    client.force_login(world.graduate_user)
    api_client.login_as(world.graduate_user)
    page = client.get("/me/")
    assert page["Cache-Control"] == "no-store, private"
    response = client.post("/me/unbind/")
    assert response["Location"] == "/login/"
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/me/")["Location"].startswith("/login/")
    assert api_client.get("/auth/me").status_code == 401  # every token revoked


def test_api_logout_revokes_tokens(world, api_client):
    api_client.login_as(world.graduate_user)
    assert api_client.post("/auth/logout").status_code == 204
    assert api_client.get("/auth/me").status_code == 401


def test_expired_token_is_refused(world, api_client):
    from django.utils import timezone

    from apps.accounts.models import ApiToken

    api_client.login_as(world.graduate_user)
    ApiToken.objects.update(expires_at=timezone.now())
    response = api_client.get("/auth/me")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "请先登录"


def test_staff_login_and_role_landing(world, client):
    response = client.post("/staff/login/", {"username": "college-a1", "password": f.PASSWORD})
    assert response["Location"] == "/staff/"
    page = client.get("/staff/").content.decode()
    assert "院系管理员" in page and "计算机学院" in page


@override_settings(STAFF_LOCKOUT_FAILURES=3, LOGIN_THROTTLE_PER_ADDRESS=100)
def test_staff_lockout_after_repeated_failures(world, api_client):
    for _ in range(3):
        r = api_client.post("/auth/staff/login", {"username": "school-a", "password": "wrong-password"})
        assert r.json()["error"]["message"] == "用户名或密码错误"
    r = api_client.post("/auth/staff/login", {"username": "school-a", "password": f.PASSWORD})
    assert r.status_code == 429
    assert "账号已锁定" in r.json()["error"]["message"]


def test_graduate_accounts_cannot_use_the_staff_login(world, api_client):
    r = api_client.post("/auth/staff/login", {"username": world.graduate_user.username, "password": ""})
    assert r.status_code == 400


def test_roles_never_reach_django_admin(world, client):
    client.force_login(world.school_admin)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_pin_is_stored_as_a_salted_keyed_hash_not_a_slow_password_hash(fresh, api_client):
    from apps.accounts.services import graduate_set_signing_pin

    api_client.login_as(f.graduate_user(fresh))
    assert api_client.post("/auth/me/pin", {"pin": "739164", "pin_again": "739164"}).status_code == 204
    stored = Graduate.objects.get(pk=fresh.pk).signing_pin_hash
    assert stored.startswith("hmac-sha256$") and "739164" not in stored
    other = f.make_graduate(college=fresh.college, name="孙丽", student_number="2022099999")
    graduate_set_signing_pin(actor=f.graduate_user(other), pin="739164", pin_again="739164")
    assert Graduate.objects.get(pk=other.pk).signing_pin_hash != stored  # same PIN, different salt
    graduate_check_signing_pin(graduate=Graduate.objects.get(pk=fresh.pk), pin="739164", client_address="x")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
def test_a_pin_hashed_before_keyed_hashes_still_works_once_and_is_upgraded(world):
    """Databases from before: the PIN was a PBKDF2 password hash. The right PIN is accepted
    and its hash replaced; a wrong one is refused and changes nothing."""
    from django.contrib.auth.hashers import make_password

    legacy = make_password("246810")
    Graduate.objects.filter(pk=world.graduate.pk).update(signing_pin_hash=legacy)
    with pytest.raises(DomainError, match="签约密码错误"):
        graduate_check_signing_pin(graduate=Graduate.objects.get(pk=world.graduate.pk), pin="975318", client_address="x")
    assert Graduate.objects.get(pk=world.graduate.pk).signing_pin_hash == legacy
    graduate_check_signing_pin(graduate=Graduate.objects.get(pk=world.graduate.pk), pin="246810", client_address="x")
    upgraded = Graduate.objects.get(pk=world.graduate.pk).signing_pin_hash
    assert upgraded.startswith("hmac-sha256$")
    graduate_check_signing_pin(graduate=Graduate.objects.get(pk=world.graduate.pk), pin="246810", client_address="x")
    with pytest.raises(DomainError, match="签约密码错误"):
        graduate_check_signing_pin(graduate=Graduate.objects.get(pk=world.graduate.pk), pin="975318", client_address="x")


@override_settings(LOGIN_THROTTLE_PER_ACCOUNT=2)
def test_a_termination_refused_for_its_state_spends_no_pin_try(world):
    """解约 without an agreement in force is refused before the PIN is looked at: a graduate
    does not lose PIN tries (nor wait for a hash) on an application that cannot succeed."""
    from apps.core import throttle
    from apps.signing import services as signing
    from tests.signing.helpers import png

    for _ in range(3):
        with pytest.raises(DomainError, match="没有生效的网签协议"):
            signing.termination_apply(actor=world.graduate_user, reason="further_study", explanation="单位同意解约",
                                      letters=[png("letter.png")], pin="975318", client_address="x")
    assert throttle.peek("pin", str(world.graduate.pk)).count == 0
    graduate_check_signing_pin(graduate=world.graduate, pin="246810", client_address="x")
