"""宣讲会 doors: every refusal changes nothing; double-booking and over-capacity are refused;
notifications and audit entries follow each change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Forbidden
from apps.infosessions import services
from apps.infosessions.models import InfoSession, Room, SessionSignup, SessionStatus
from apps.notifications.models import Notification
from tests import factories as f
from tests.infosessions.conftest import future_day, make_posting

pytestmark = pytest.mark.django_db


def refused(code, fn, **kw):
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        fn(**kw)
    assert exc.value.code == code, exc.value.message
    assert AuditEntry.objects.count() == before
    return exc.value


# ------------------------------------------------------------------ rooms


def test_school_staff_add_rename_and_deactivate_rooms(world):
    room = services.room_create(actor=world.school_admin, name=" 报告厅A ", capacity="200")
    assert (room.name, room.capacity, room.school_id) == ("报告厅A", 200, world.school.pk)
    room = services.room_update(actor=world.school_admin, room=room, name="报告厅甲", capacity=150)
    assert Room.objects.get(pk=room.pk).name == "报告厅甲"
    services.room_deactivate(actor=world.school_admin, room=room)
    assert not Room.objects.get(pk=room.pk).active
    assert AuditEntry.objects.filter(action__startswith="infosession.room").count() == 3


@pytest.mark.parametrize("name,capacity,code", [
    ("", 10, "required"), ("报告厅", 0, "out_of_range"), ("报告厅", 5001, "out_of_range"),
    ("报告厅", "十", "out_of_range"), ("厅" * 61, 10, "too_long"),
])
def test_room_input_refused(world, name, capacity, code):
    refused(code, services.room_create, actor=world.school_admin, name=name, capacity=capacity)
    assert not Room.objects.exists()


def test_room_name_unique_per_school(world, room):
    error = refused("room_name_taken", services.room_create, actor=world.school_admin, name="报告厅A", capacity=5)
    assert "报告厅A" in error.message
    services.room_create(actor=world.other_school_admin, name="报告厅A", capacity=5)  # another school may


def test_only_school_staff_of_the_school_manage_rooms(world, room):
    for actor in (world.college_admin, world.province_admin, world.employer_user, world.graduate_user):
        with pytest.raises(Forbidden):
            services.room_create(actor=actor, name="新教室", capacity=10)
    with pytest.raises(Forbidden):
        services.room_deactivate(actor=world.other_school_admin, room=room)


# ------------------------------------------------------------------ requests


def test_employer_requests_a_session(world, request_session):
    posting = make_posting(world.employer, world.school)
    session = request_session(posting_ids=[posting.pk])
    assert session.status == SessionStatus.PENDING
    assert list(session.postings.all()) == [posting]
    assert session.starts_at is not None and timezone.localtime(session.starts_at).hour == 14
    entry = AuditEntry.objects.get(action="infosession.request")
    assert "13900001111" not in str(entry.changes)  # the phone is masked in the trail


@pytest.mark.parametrize("overrides,code", [
    ({"date": timezone.localdate() + timedelta(days=1)}, "bad_date"),
    ({"date": timezone.localdate() + timedelta(days=181)}, "bad_date"),
    ({"date": "下周三"}, "bad_date"),
    ({"slot": "noon"}, "bad_slot"),
    ({"audience": "everyone"}, "bad_audience"),
    ({"topic": " "}, "required"),
    ({"contact_phone": "12345"}, "bad_phone"),
    ({"expected_size": "0"}, "out_of_range"),
    ({"school_id": "abc"}, "required"),
])
def test_request_refusals(world, request_session, overrides, code):
    refused(code, request_session, **overrides)
    assert not InfoSession.objects.exists()


def test_request_lead_days_come_from_settings(world, request_session, settings):
    settings.INFOSESSION_MIN_LEAD_DAYS = 10
    error = refused("bad_date", request_session, date=future_day(7))
    assert "10天" in error.message


def test_request_refused_for_unverified_or_foreign_channel(world, request_session):
    world.employer.status = "pending"
    world.employer.save()
    refused("channel_refused", request_session)
    world.employer.status = "verified"
    world.employer.verifier_school = world.other_school
    world.employer.save()
    refused("channel_refused", request_session)


def test_request_postings_must_be_own_published(world, request_session):
    other = f.make_employer(credit_code="91340100MA2N0XXX02", name="别家公司")
    refused("bad_postings", request_session, posting_ids=[make_posting(other, world.school).pk])
    refused("bad_postings", request_session, posting_ids=[make_posting(world.employer, world.school,
                                                                          status="pending").pk])


def test_duplicate_request_refused(world, request_session):
    request_session()
    refused("duplicate_request", request_session)


def test_request_needs_an_employer(world, request_session):
    with pytest.raises(Forbidden):
        request_session(actor=world.school_admin)


# ------------------------------------------------------------------ allocation


def test_allocate_copies_capacity_and_notifies(world, room, request_session):
    session = services.session_allocate(actor=world.school_admin, session=request_session(), room_id=room.pk)
    session.refresh_from_db()
    assert (session.status, session.room_id, session.capacity) == (SessionStatus.SCHEDULED, room.pk, 3)
    note = Notification.objects.get(kind="session.decision", employer=world.employer)
    assert room.name in note.body
    assert services.allocation_warning(session, room)  # 3 seats for an expected 80: said, not refused


def test_double_booking_refused_naming_the_session(world, room, scheduled, request_session):
    other_employer = f.make_employer(credit_code="91340100MA2N0XXX02", name="芜湖别家有限公司")
    other_user = f.make_staff("employer", employer=other_employer, username="employer-2")
    second = request_session(actor=other_user)
    error = refused("room_taken", services.session_allocate, actor=world.school_admin, session=second,
                    room_id=room.pk)
    assert scheduled.topic in error.message and world.employer.name in error.message
    assert InfoSession.objects.get(pk=second.pk).status == SessionStatus.PENDING


def test_constraint_backs_the_check(world, room, scheduled, request_session, monkeypatch):
    """If the check misses a concurrent allocation, the partial unique index refuses the same way."""
    other_employer = f.make_employer(credit_code="91340100MA2N0XXX02", name="芜湖别家有限公司")
    second = request_session(actor=f.make_staff("employer", employer=other_employer, username="employer-2"))
    calls = []
    real = services._room_taken

    def miss_first(session, room):
        calls.append(1)
        if len(calls) > 1:
            return real(session, room)

    monkeypatch.setattr(services, "_room_taken", miss_first)
    refused("room_taken", services.session_allocate, actor=world.school_admin, session=second, room_id=room.pk)
    assert InfoSession.objects.get(pk=second.pk).status == SessionStatus.PENDING


def test_allocate_refusals(world, room, request_session):
    session = request_session()
    other_school_room = Room.objects.create(school=world.other_school, name="外校教室", capacity=50)
    refused("bad_room", services.session_allocate, actor=world.school_admin, session=session,
            room_id=other_school_room.pk)
    refused("bad_room", services.session_allocate, actor=world.school_admin, session=session, room_id="x")
    services.room_deactivate(actor=world.school_admin, room=room)
    refused("room_inactive", services.session_allocate, actor=world.school_admin, session=session, room_id=room.pk)
    with pytest.raises(Forbidden):
        services.session_allocate(actor=world.other_school_admin, session=session, room_id=room.pk)
    with pytest.raises(Forbidden):
        services.session_allocate(actor=world.province_admin, session=session, room_id=room.pk)


def test_allocate_only_pending(world, room, other_room, scheduled):
    refused("not_pending", services.session_allocate, actor=world.school_admin, session=scheduled,
            room_id=other_room.pk)


def test_reject_needs_reason_and_notifies(world, request_session):
    session = request_session()
    refused("required", services.session_reject, actor=world.school_admin, session=session, reason=" ")
    services.session_reject(actor=world.school_admin, session=session, reason="该时段学校有考试")
    session.refresh_from_db()
    assert session.status == SessionStatus.REJECTED and session.reason == "该时段学校有考试"
    assert "该时段学校有考试" in Notification.objects.get(kind="session.decision").body


def test_cancel_notifies_signed_up_graduates_and_frees_the_room(world, room, scheduled, request_session):
    services.session_signup(actor=world.graduate_user, session=scheduled)
    refused("required", services.session_cancel, actor=world.school_admin, session=scheduled, reason="")
    services.session_cancel(actor=world.school_admin, session=scheduled, reason="场地维修")
    note = Notification.objects.get(kind="session.cancelled", graduate=world.graduate)
    assert "场地维修" in note.body
    other_employer = f.make_employer(credit_code="91340100MA2N0XXX02", name="芜湖别家有限公司")
    second = request_session(actor=f.make_staff("employer", employer=other_employer, username="employer-2"))
    services.session_allocate(actor=world.school_admin, session=second, room_id=room.pk)  # free again


def test_withdraw_by_own_employer(world, scheduled):
    other_employer = f.make_employer(credit_code="91340100MA2N0XXX02", name="芜湖别家有限公司")
    with pytest.raises(Forbidden):
        services.session_withdraw(actor=f.make_staff("employer", employer=other_employer, username="e2"),
                                  session=scheduled)
    services.session_signup(actor=world.graduate_user, session=scheduled)
    services.session_withdraw(actor=world.employer_user, session=scheduled)
    assert InfoSession.objects.get(pk=scheduled.pk).status == SessionStatus.WITHDRAWN
    assert Notification.objects.filter(kind="session.cancelled", graduate=world.graduate).exists()
    refused("not_live", services.session_withdraw, actor=world.employer_user, session=scheduled)


# ------------------------------------------------------------------ sign-ups


def test_signup_and_cancel_move_the_count(world, scheduled):
    assert services.session_signup_toggle(actor=world.graduate_user, session=scheduled) is True
    assert InfoSession.objects.get(pk=scheduled.pk).signup_count == 1
    refused("already_signed_up", services.session_signup, actor=world.graduate_user, session=scheduled)
    assert services.session_signup_toggle(actor=world.graduate_user, session=scheduled) is False
    assert InfoSession.objects.get(pk=scheduled.pk).signup_count == 0
    refused("not_signed_up", services.session_signup_cancel, actor=world.graduate_user, session=scheduled)


def test_over_capacity_refused(world, scheduled):
    graduates = [f.make_graduate(college=world.college, major=world.major, name=f"同学{i}") for i in range(4)]
    for g in graduates[:3]:
        services.session_signup(actor=f.graduate_user(g), session=scheduled)
    error = refused("full", services.session_signup, actor=f.graduate_user(graduates[3]), session=scheduled)
    assert "3人" in error.message
    assert InfoSession.objects.get(pk=scheduled.pk).signup_count == 3
    assert SessionSignup.objects.filter(session=scheduled).count() == 3


def test_school_only_session_refuses_another_school(world, scheduled):
    error = refused("not_open", services.session_signup, actor=world.stranger_user, session=scheduled)
    assert world.school.name in error.message


def test_province_session_open_to_other_school(world, room, request_session):
    session = request_session(audience="province")
    services.session_allocate(actor=world.school_admin, session=session, room_id=room.pk)
    services.session_signup(actor=world.stranger_user, session=session)


def test_signup_refused_when_not_scheduled_or_started(world, request_session, scheduled):
    pending = request_session(slot="ev")
    refused("not_open", services.session_signup, actor=world.graduate_user, session=pending)
    InfoSession.objects.filter(pk=scheduled.pk).update(starts_at=timezone.now() - timedelta(minutes=1),
                                                       date=timezone.localdate())
    scheduled.refresh_from_db()
    scheduled.date = timezone.localdate() - timedelta(days=1)
    InfoSession.objects.filter(pk=scheduled.pk).update(date=scheduled.date)
    refused("not_open", services.session_signup, actor=world.graduate_user, session=scheduled)


def test_signup_needs_a_graduate(world, scheduled):
    with pytest.raises(Forbidden):
        services.session_signup(actor=world.school_admin, session=scheduled)


# ------------------------------------------------------------------ reminders


def test_reminder_sent_once_the_day_before(world, room, request_session):
    session = request_session(date=future_day(3))
    services.session_allocate(actor=world.school_admin, session=session, room_id=room.pk)
    services.session_signup(actor=world.graduate_user, session=session)
    assert services.send_session_reminders() == 0  # three days ahead: not yet
    day_before = timezone.now() + timedelta(days=2)
    assert services.send_session_reminders(now=day_before) == 1
    assert services.send_session_reminders(now=day_before) == 0
    notes = Notification.objects.filter(kind="session.reminder", graduate=world.graduate)
    assert notes.count() == 1 and room.name in notes.get().body
    assert world.graduate.phone not in notes.get().body if world.graduate.phone else True


def test_reminder_command_and_schedule(world, room, request_session):
    from io import StringIO

    from django.core.management import call_command

    from apps.core.schedule import SCHEDULE

    assert any(job.command == "send_session_reminders" for job in SCHEDULE)
    session = request_session(date=future_day(3))
    services.session_allocate(actor=world.school_admin, session=session, room_id=room.pk)
    services.session_signup(actor=world.graduate_user, session=session)
    day_before = timezone.localtime(timezone.now() + timedelta(days=2)).replace(tzinfo=None).isoformat()
    out = StringIO()
    call_command("send_session_reminders", now=day_before, stdout=out)
    call_command("send_session_reminders", now=day_before, stdout=out)
    assert out.getvalue().split() == ["1", "reminder(s)", "sent", "0", "reminder(s)", "sent"]


def test_cancelled_meanwhile_is_not_called_full(world, scheduled):
    InfoSession.objects.filter(pk=scheduled.pk).update(status=SessionStatus.CANCELLED)
    refused("not_open", services.session_signup, actor=world.graduate_user, session=scheduled)
