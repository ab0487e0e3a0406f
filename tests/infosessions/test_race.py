"""Races proven on PostgreSQL with real threads: two staff allocating one room and slot to two
sessions at once (exactly one succeeds, the other is refused naming the room), and N+3
graduates signing up for N seats (exactly N sign-ups, signup_count == N)."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.infosessions import services
from apps.infosessions.models import InfoSession, Room, SessionSignup, SessionStatus
from tests import factories as f
from tests.infosessions.conftest import future_day
from tests.throttle_helpers import in_parallel

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, the race cannot happen there")


def _request(world, n):
    employer = f.make_employer(credit_code=f"91340100MA2R{n:04d}X", name=f"竞争单位{n}")
    user = f.make_staff("employer", employer=employer, username=f"race-emp-{n}")
    return services.session_request(actor=user, school_id=world.school.pk, date=future_day(), slot="pm1",
                                     audience="school", topic=f"宣讲{n}", contact_name="联系人",
                                     contact_phone="13900001111")


def test_two_staff_allocating_one_room_slot(world):
    _needs_postgresql()
    room = Room.objects.create(school=world.school, name="报告厅A", capacity=100)
    second_admin = f.make_staff("school_staff", school=world.school, username="school-a2")
    sessions = [_request(world, 1), _request(world, 2)]
    admins = [world.school_admin, second_admin]
    for _ in range(5):  # several rounds: the check alone would let both through some of the time
        InfoSession.objects.filter(pk__in=[s.pk for s in sessions]).update(status=SessionStatus.PENDING, room=None,
                                                                            capacity=0)
        outcomes = in_parallel(2, lambda i: services.session_allocate(
            actor=admins[i], session=InfoSession.objects.get(pk=sessions[i].pk), room_id=room.pk))
        assert outcomes == {"accepted": 1, "room_taken": 1}, dict(outcomes)
        assert InfoSession.objects.filter(room=room, status=SessionStatus.SCHEDULED).count() == 1


def test_more_graduates_than_seats(world):
    _needs_postgresql()
    seats = 5
    room = Room.objects.create(school=world.school, name="小教室", capacity=seats)
    session = services.session_allocate(actor=world.school_admin, session=_request(world, 3), room_id=room.pk)
    users = [f.graduate_user(f.make_graduate(college=world.college, major=world.major, name=f"同学{i}"))
             for i in range(seats + 3)]
    outcomes = in_parallel(len(users), lambda i: services.session_signup(actor=users[i], session=session))
    assert outcomes == {"accepted": seats, "full": 3}, dict(outcomes)
    assert SessionSignup.objects.filter(session=session).count() == seats
    assert InfoSession.objects.get(pk=session.pk).signup_count == seats


def test_one_graduate_signing_up_twice_at_once(world):
    _needs_postgresql()
    room = Room.objects.create(school=world.school, name="小教室", capacity=5)
    session = services.session_allocate(actor=world.school_admin, session=_request(world, 4), room_id=room.pk)
    outcomes = in_parallel(6, lambda i: services.session_signup(actor=world.graduate_user, session=session))
    assert outcomes == {"accepted": 1, "already_signed_up": 5}, dict(outcomes)
    assert InfoSession.objects.get(pk=session.pk).signup_count == 1
