"""消息设置: the page and the API read and save the person's own choices per kind; bad input
changes nothing; an employer user sets its own e-mail address here."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError
from apps.notifications.models import NotificationPreference
from apps.notifications.services import preferences_save


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


# --- page ----------------------------------------------------------------------------------------

def test_graduate_page_groups_own_kinds_and_shows_the_address(graduate):
    page = html(logged_in(graduate.user).get("/notifications/settings/"))
    assert "邮件发送到：wangxm@example.edu.cn" in page
    assert page.index('data-group="网签"') < page.index('data-group="投递"') < page.index('data-group="招聘会"')
    assert 'data-kind="fair.reminder"' in page and 'data-kind="fair.booth"' not in page  # employers' kind
    assert "短信" not in page.split("<form")[1].split("</select>")[0]  # no SMS sender configured


def test_graduate_without_email_is_told_and_cannot_choose_email(world):
    from tests import factories as f

    user = f.graduate_user(world.graduate)
    page = html(logged_in(user).get("/notifications/settings/"))
    assert "还没有电子邮箱" in page and "/register/contacts/" in page
    assert 'value="email" disabled' in page
    # kinds whose default is e-mail show what this graduate really gets: in-app only, no digest
    assert 'value="email" selected' not in page
    assert page.count('name="digest-') == page.count('> 每日摘要') and \
        page.count('name="digest-') == len(re.findall(r'name="digest-[^"]+" value="1" id="[^"]+" disabled', page))
    response = logged_in(user).post("/notifications/settings/", {"channel-report.outcome": "email"})
    assert response.status_code == 400 and "还没有电子邮箱" in html(response)
    assert not NotificationPreference.objects.exists()


def test_graduate_saves_email_and_digest_in_one_audited_change(graduate):
    client = logged_in(graduate.user)
    response = client.post("/notifications/settings/", {"channel-fair.reminder": "email", "digest-fair.reminder": "1",
                                                         "channel-report.outcome": "email"})
    assert response.status_code == 302
    saved = {p.kind: (p.channel, p.digest) for p in NotificationPreference.objects.filter(user=graduate.user)}
    assert saved["fair.reminder"] == ("email", True) and saved["report.outcome"] == ("email", False)
    assert "invitation_received" not in saved  # not in the form: keeps its default
    [entry] = AuditEntry.objects.filter(action="notifications.preferences")
    assert entry.changes["消息设置·招聘会提醒"] == ["站内消息 + 电子邮件", "站内消息 + 电子邮件（每日摘要）"]
    assert "消息设置已保存" in html(client.get("/notifications/settings/"))


def test_digest_without_email_is_refused_and_nothing_changes(graduate):
    with pytest.raises(DomainError, match="每日摘要通过电子邮件发送"):
        preferences_save(actor=graduate.user, choices={"report.outcome": ("email", False),
                                                       "fair.reminder": ("in_app", True)})
    assert not NotificationPreference.objects.exists()
    assert not AuditEntry.objects.filter(action="notifications.preferences").exists()


def test_sms_only_when_a_sender_is_configured(graduate, settings):
    with pytest.raises(DomainError, match="短信提醒未开通"):
        preferences_save(actor=graduate.user, choices={"report.outcome": ("sms", False)})
    settings.NOTIFICATION_SMS_SENDER = "apps.notifications.senders.LogSender"
    preferences_save(actor=graduate.user, choices={"report.outcome": ("sms", False)})
    assert NotificationPreference.objects.get().channel == "sms"
    assert "站内消息 + 短信" in html(logged_in(graduate.user).get("/notifications/settings/"))


def test_another_roles_kind_is_refused(graduate):
    with pytest.raises(DomainError, match="没有这种消息类型"):
        preferences_save(actor=graduate.user, choices={"fair.booth": ("email", False)})


def test_employer_user_sets_its_email_and_chooses_email(world):
    client = logged_in(world.employer_user)
    page = html(client.get("/notifications/settings/"))
    assert "还没有电子邮箱" in page and 'data-kind="fair.booth"' in page
    bad = client.post("/notifications/settings/", {"email": "不是邮箱", "channel-fair.booth": "email"})
    assert bad.status_code == 400 and "电子邮箱格式不正确" in html(bad)
    world.employer_user.refresh_from_db()
    assert world.employer_user.email == ""
    response = client.post("/notifications/settings/", {"email": "HR@Example.COM", "channel-fair.booth": "email"})
    assert response.status_code == 302
    world.employer_user.refresh_from_db()
    assert world.employer_user.email == "HR@example.com"
    entry = AuditEntry.objects.get(action="notifications.preferences")
    assert entry.changes["电子邮箱"] == ["", "H***@example.com"]

    from apps.notifications.services import notify

    notify(kind="fair.booth", title="展位申请已通过", employer=world.employer)
    from apps.notifications.delivery import deliver_due

    deliver_due()
    assert [m.to for m in mail.outbox] == [["HR@example.com"]]


def test_graduate_cannot_set_an_address_here(graduate):
    with pytest.raises(DomainError, match="联系方式"):
        preferences_save(actor=graduate.user, choices={}, email="other@example.com")


def test_staff_have_no_settings_page(world):
    assert logged_in(world.school_admin).get("/notifications/settings/").status_code in (302, 403)


# --- API -----------------------------------------------------------------------------------------

def test_api_kinds_lists_every_kind_with_labels(api_client, graduate):
    kinds = api_client.login_as(graduate.user).get("/notifications/kinds").json()
    by_key = {k["key"]: k for k in kinds}
    assert by_key["fair.booth"] == {"key": "fair.booth", "label": "展位申请结果", "group": "招聘会",
                                    "audience": "employer", "description": "展位通过、候补、递补、未通过或被取消",
                                    "default_channel": "email", "default_digest": False}


def test_api_reads_and_replaces_own_preferences(api_client, graduate):
    api = api_client.login_as(graduate.user)
    mine = api.get("/notifications/preferences").json()
    assert mine["email"] == "wangxm@example.edu.cn" and mine["state"]["code"] == "email"
    assert {i["kind"] for i in mine["items"]} >= {"fair.reminder", "application.status"}
    assert not any(i["saved"] for i in mine["items"])

    response = api.put("/notifications/preferences", {"items": [{"kind": "fair.reminder", "channel": "email",
                                                                 "digest": True}]})
    assert response.status_code == 200
    item = next(i for i in response.json()["items"] if i["kind"] == "fair.reminder")
    assert item == {"kind": "fair.reminder", "label": "招聘会提醒", "group": "招聘会", "channel": "email",
                    "digest": True, "saved": True}

    refused = api.put("/notifications/preferences", {"items": [{"kind": "fair.reminder", "channel": "sms"}]})
    assert refused.status_code == 400 and "短信提醒未开通" in refused.json()["error"]["message"]
    assert NotificationPreference.objects.get(kind="fair.reminder").channel == "email"


def test_api_employer_sets_email(api_client, world):
    api = api_client.login_as(world.employer_user)
    response = api.put("/notifications/preferences", {"email": "zhaopin@example.com",
                                                      "items": [{"kind": "application.new", "channel": "email"}]})
    assert response.status_code == 200 and response.json()["email"] == "zhaopin@example.com"


def test_api_staff_are_refused(api_client, world):
    api = api_client.login_as(world.school_admin)
    assert api.get("/notifications/preferences").status_code == 403
    assert api.put("/notifications/preferences", {"items": []}).status_code == 403
