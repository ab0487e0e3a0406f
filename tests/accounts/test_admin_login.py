"""后台登录: the Django admin's login has the staff lockout and address throttle, and its
path is a setting (PLATFORM_ADMIN_PATH)."""

from __future__ import annotations

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

from apps.accounts.models import User

PASSWORD = "Op-pass-12345"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("operator", "op@example.invalid", PASSWORD)


def admin_login(client, password, username="operator", path="/admin/"):
    return client.post(f"{path}login/", {"username": username, "password": password, "next": path})


@override_settings(STAFF_LOCKOUT_FAILURES=5, LOGIN_THROTTLE_PER_ADDRESS=100)
def test_five_wrong_admin_passwords_lock_the_superuser(client, superuser):
    for _ in range(5):
        response = admin_login(client, "wrong-password")
        assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()
    assert User.objects.get(pk=superuser.pk).locked_until is not None

    response = admin_login(client, PASSWORD)  # the right password, too late
    assert response.status_code == 200
    assert "账号已锁定，请15分钟后再试或联系管理员" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")  # not logged in


@override_settings(STAFF_LOCKOUT_FAILURES=100, LOGIN_THROTTLE_PER_ADDRESS=3)
def test_the_admin_login_is_throttled_per_client_address(client, superuser):
    for n in range(3):
        assert "用户名或密码错误" in admin_login(client, "wrong-password", username=f"guess-{n}").content.decode()
    response = admin_login(client, PASSWORD)
    assert "尝试次数过多" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_right_password_still_opens_the_admin_for_a_superuser_only(client, superuser, world):
    response = admin_login(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.logout()
    # a school admin's right password is not enough: the admin is for superusers
    response = admin_login(client, "Test-pass-123", username="school-a")
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.fixture
def admin_at_ops_console():
    import config.urls

    with override_settings(PLATFORM_ADMIN_PATH="ops-console/"):
        importlib.reload(config.urls)
        clear_url_caches()
        yield "/ops-console/"
    importlib.reload(config.urls)
    clear_url_caches()


def test_the_admin_is_served_at_the_configured_path(client, superuser, admin_at_ops_console):
    assert client.get("/admin/login/").status_code == 404
    assert client.get("/ops-console/login/").status_code == 200
    response = admin_login(client, PASSWORD, path="/ops-console/")
    assert response.status_code == 302 and response["Location"] == "/ops-console/"
    assert client.get("/ops-console/accounts/user/").status_code == 200
