"""E-mail and SMS of notifications with Django's locmem backend: preferences honoured, the daily
摘要 grouping a day's messages, retries and dead messages, and no full ID or phone number in
anything that leaves the platform."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.notifications.delivery import deliver_due, deliver_notifications, send_notification_digests
from apps.notifications.models import MessageStatus, Notification, OutboundMessage
from apps.notifications.senders import MemorySender
from apps.notifications.services import DIGEST_HOUR, notify
from tests import factories as f
from tests.notifications.backends import FlakyBackend
from tests.notifications.conftest import prefer

TODAY = timezone.localdate()


def at(day, hour, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


# --- preferences honoured ----------------------------------------------------------------------

def test_in_app_only_sends_no_mail(graduate, send):
    prefer(graduate.user, "application.status", "in_app")
    note = send(kind="application.status", title="投递状态：邀请面试", graduate=graduate)
    assert Notification.objects.filter(pk=note.pk).exists()
    assert mail.outbox == []
    assert not OutboundMessage.objects.exists()


def test_email_choice_sends_one_mail_to_the_contact_address(graduate, send):
    prefer(graduate.user, "report.outcome", "email")
    send(kind="report.outcome", title="你的举报已处理：已下架", body="感谢你的举报。", link="/reports/1/",
         graduate=graduate)
    [message] = mail.outbox
    assert message.to == ["wangxm@example.edu.cn"]
    assert "你的举报已处理：已下架" in message.subject
    assert "感谢你的举报。" in message.body and "/reports/1/" in message.body
    assert OutboundMessage.objects.get().status == MessageStatus.SENT


def test_kind_defaults_apply_without_a_saved_choice(graduate, send):
    send(kind="report.outcome", title="举报已处理", graduate=graduate)  # default: in-app only
    assert mail.outbox == []
    send(kind="invitation_received", title="您收到示例公司的网签邀约", graduate=graduate)  # default: e-mail
    assert [m.subject for m in mail.outbox] == ["【大学生就业服务平台】您收到示例公司的网签邀约"]


def test_no_address_means_in_app_only(world, send):
    prefer(f.graduate_user(world.graduate), "report.outcome", "email")
    send(kind="report.outcome", title="举报已处理", graduate=world.graduate)
    assert mail.outbox == [] and not OutboundMessage.objects.exists()


def test_each_active_employer_user_gets_its_own_mail(world, employer_user, send):
    colleague = f.make_staff("employer", employer=world.employer, username="employer-2")
    colleague.email = "zhaopin@example.com"
    colleague.save()
    gone = f.make_staff("employer", employer=world.employer, username="employer-3")
    gone.email = "left@example.com"
    gone.is_active = False
    gone.save()
    prefer(colleague, "application.new", "in_app")
    send(kind="application.new", title="新的投递：软件工程师", employer=world.employer)  # default: e-mail, 摘要
    send(kind="fair.booth", title="展位申请已通过", employer=world.employer)  # default: e-mail at once
    assert [m.to for m in mail.outbox] == [["hr@example.com"], ["zhaopin@example.com"]]
    assert OutboundMessage.objects.filter(status=MessageStatus.HELD, user=employer_user).count() == 1


def test_notify_costs_three_statements(graduate, django_assert_max_num_queries):
    prefer(graduate.user, "report.outcome", "email")
    with django_assert_max_num_queries(3):  # the in-app row, the recipients with preferences, the bulk insert
        notify(kind="report.outcome", title="举报已处理", graduate=graduate)


def test_a_rolled_back_caller_sends_nothing(graduate, django_capture_on_commit_callbacks):
    from django.db import transaction

    prefer(graduate.user, "report.outcome", "email")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(kind="report.outcome", title="举报已处理", graduate=graduate)
            raise RuntimeError("the caller's business rule failed")
    assert mail.outbox == [] and not OutboundMessage.objects.exists()


# --- the daily digest ----------------------------------------------------------------------------

def test_digest_holds_messages_until_the_digest_job_then_sends_one_grouped_mail(graduate, send):
    user = graduate.user
    for kind in ("application.status", "fair.reminder", "session.reminder"):
        prefer(user, kind, "email", digest=True)
    send(kind="application.status", title="投递状态：邀请面试", body="请查看面试安排", graduate=graduate)
    send(kind="fair.reminder", title="明天：2026届秋季双选会", graduate=graduate)
    send(kind="application.status", title="投递状态：已录用", graduate=graduate)
    send(kind="session.reminder", title="明天：示例公司宣讲会", graduate=graduate)
    assert mail.outbox == []
    assert deliver_notifications() == "sent 0, failed 0, dead 0, released 0"  # held is not due
    held = OutboundMessage.objects.filter(status=MessageStatus.HELD)
    assert held.count() == 4
    day = held.first().digest_date

    assert send_notification_digests(now=at(day, DIGEST_HOUR - 1, 59)) == 0  # nobody is mailed at night
    assert mail.outbox == []
    assert send_notification_digests(now=at(day, DIGEST_HOUR, 5)) == 1
    [digest] = mail.outbox
    assert digest.to == ["wangxm@example.edu.cn"]
    assert f"{day.month}月{day.day}日" in digest.subject and "4条" in digest.subject
    body = digest.body
    # grouped by kind group, in the settings page's order: 投递 before 招聘会 before 宣讲会
    assert body.index("【投递】") < body.index("投递状态：邀请面试") < body.index("投递状态：已录用") \
        < body.index("【招聘会】") < body.index("明天：2026届秋季双选会") < body.index("【宣讲会】")
    assert body.count("【投递】") == 1
    assert OutboundMessage.objects.filter(status=MessageStatus.DIGESTED).count() == 4

    # run again the same day, or by a second scheduler: nothing more
    assert send_notification_digests(now=at(day, DIGEST_HOUR + 3)) == 0
    assert len(mail.outbox) == 1


def test_digest_day_boundary(graduate, send, monkeypatch):
    from apps.notifications import services

    prefer(graduate.user, "fair.reminder", "email", digest=True)
    monkeypatch.setattr(services.timezone, "now", lambda: at(TODAY, DIGEST_HOUR - 1))
    send(kind="fair.reminder", title="早上七点的消息", graduate=graduate)
    monkeypatch.setattr(services.timezone, "now", lambda: at(TODAY, DIGEST_HOUR + 1))
    send(kind="fair.reminder", title="早上九点的消息", graduate=graduate)
    monkeypatch.undo()
    dates = dict(OutboundMessage.objects.values_list("notification__title", "digest_date"))
    assert dates == {"早上七点的消息": TODAY, "早上九点的消息": TODAY + timedelta(days=1)}
    assert send_notification_digests(now=at(TODAY, DIGEST_HOUR)) == 1
    assert "早上七点的消息" in mail.outbox[0].body and "早上九点的消息" not in mail.outbox[0].body
    assert send_notification_digests(now=at(TODAY + timedelta(days=1), DIGEST_HOUR)) == 1
    assert "早上九点的消息" in mail.outbox[1].body


# --- retries -------------------------------------------------------------------------------------

@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_BACKOFF_BASE_SECONDS = 60
    yield FlakyBackend
    FlakyBackend.failures_left = 0


def test_a_failing_backend_is_retried_with_backoff_then_succeeds(graduate, flaky, caplog):
    prefer(graduate.user, "report.outcome", "email")
    flaky.failures_left = 1
    notify(kind="report.outcome", title="举报已处理", graduate=graduate)
    start = timezone.now()
    with caplog.at_level(logging.INFO):
        assert deliver_due(now=start)["failed"] == 1
    message = OutboundMessage.objects.get()
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.FAILED, 1,
                                                                      "SMTPRecipientsRefused")
    assert message.next_attempt_at >= start + timedelta(seconds=59)
    assert "example.edu.cn" not in caplog.text  # logs carry no addresses
    assert deliver_due(now=start + timedelta(seconds=30))["sent"] == 0  # not yet due
    assert deliver_due(now=start + timedelta(seconds=61))["sent"] == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and len(mail.outbox) == 1


def test_dead_after_the_maximum_attempts(graduate, flaky):
    prefer(graduate.user, "report.outcome", "email")
    flaky.failures_left = 10
    notify(kind="report.outcome", title="举报已处理", graduate=graduate)
    now = timezone.now()
    outcomes = []
    for _ in range(4):
        now += timedelta(hours=2)
        counts = deliver_due(now=now)
        outcomes.append((counts["failed"], counts["dead"]))
    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0)]
    message = OutboundMessage.objects.get()
    assert (message.status, message.attempts) == (MessageStatus.DEAD, 3)
    assert mail.outbox == []


def test_an_address_removed_before_sending_makes_the_message_dead_at_once(graduate):
    prefer(graduate.user, "report.outcome", "email")
    notify(kind="report.outcome", title="举报已处理", graduate=graduate)
    graduate.email = ""
    graduate.save(update_fields=["email"])
    assert deliver_due()["dead"] == 1
    assert mail.outbox == []


def test_a_sent_message_is_not_sent_again(graduate):
    prefer(graduate.user, "report.outcome", "email")
    note = notify(kind="report.outcome", title="举报已处理", graduate=graduate)
    ids = list(note.outbound.values_list("pk", flat=True))
    assert deliver_due(ids=ids)["sent"] == 1
    assert deliver_due(ids=ids)["sent"] == 0
    assert deliver_due()["sent"] == 0
    assert len(mail.outbox) == 1


def test_a_live_claim_is_not_taken_over_but_an_expired_one_is(graduate, settings):
    settings.NOTIFICATION_LEASE_SECONDS = 120
    prefer(graduate.user, "report.outcome", "email")
    notify(kind="report.outcome", title="举报已处理", graduate=graduate)
    now = timezone.now()
    OutboundMessage.objects.update(claimed_at=now, claim_token="another-worker")
    assert deliver_due(now=now + timedelta(seconds=60))["sent"] == 0
    assert deliver_due(now=now + timedelta(seconds=121))["sent"] == 1
    assert len(mail.outbox) == 1


# --- personal numbers never leave ---------------------------------------------------------------

ID_NUMBER = "34010420020101123X"
MOBILE = "13812345678"
LANDLINE = "0551-62345678"
LEAKS = [ID_NUMBER, ID_NUMBER.lower(), MOBILE, "138 1234 5678", "62345678"]


def _personal_text():
    return (f"王小明（身份证{ID_NUMBER}，手机{MOBILE}）", f"联系人手机 138 1234 5678，单位电话{LANDLINE}，"
            f"小写x的证件号{ID_NUMBER.lower()}")


def _assert_clean(text: str):
    for leak in LEAKS:
        assert leak not in text, leak
    assert not re.search(r"\d{11,}", text)


def test_no_full_id_or_phone_number_in_any_channel(graduate, settings, send):
    settings.NOTIFICATION_SMS_SENDER = "apps.notifications.senders.MemorySender"
    MemorySender.outbox.clear()
    graduate.phone = "13900001111"
    graduate.save()
    title, body = _personal_text()
    prefer(graduate.user, "report.outcome", "email")
    prefer(graduate.user, "application.status", "sms")
    prefer(graduate.user, "fair.reminder", "email", digest=True)
    for kind in ("report.outcome", "application.status", "fair.reminder"):
        send(kind=kind, title=title, body=body, graduate=graduate)
    day = OutboundMessage.objects.get(status=MessageStatus.HELD).digest_date
    send_notification_digests(now=at(day, DIGEST_HOUR))

    assert len(mail.outbox) == 2 and len(MemorySender.outbox) == 1  # single e-mail, digest, SMS
    for message in mail.outbox:
        _assert_clean(message.subject)
        _assert_clean(message.body)
        assert "3401**********123X" in message.body and "138****5678" in message.body
    sms = MemorySender.outbox[0]
    _assert_clean(sms["title"])
    assert sms["phone"] == "13900001111"  # the number it is sent TO is the only one handed over
    MemorySender.outbox.clear()


def test_scrub_masks_the_usual_spellings():
    from apps.notifications.scrub import scrub_personal_numbers

    assert scrub_personal_numbers(f"证件{ID_NUMBER}。") == "证件3401**********123X。"
    assert scrub_personal_numbers("电话+86 138-1234-5678") == "电话138****5678"
    assert scrub_personal_numbers("座机(0551)6234567 / 010 12345678") == "座机(0551)-62***67 / 010-12****78"
    # what is not a personal number stays: dates, amounts, agreement numbers with letters
    assert scrub_personal_numbers("2026年12月1日 800元 协议编号WQ2026000123") == "2026年12月1日 800元 协议编号WQ2026000123"
