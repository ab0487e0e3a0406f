"""Fairs, 宣讲会, booths and 名片 for the 签到 tests, made the way the fairs / 宣讲会 services
leave them (counters included)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from apps.accounts.models import Role
from apps.fairs.models import Audience, BoothStatus, FairBooth, JobFair
from apps.infosessions.models import InfoSession, Room, SessionSignup, SessionStatus
from tests import factories as f


def make_fair(school, *, starts_in=timedelta(minutes=10), hours=3, audience=Audience.SCHOOL,
              title="2027届秋季双选会", created_by=None, **extra) -> JobFair:
    starts = timezone.now() + starts_in
    created_by = created_by or f.make_staff(Role.SCHOOL_STAFF, school=school)
    return JobFair.objects.create(school=school, title=title, starts_at=starts, ends_at=starts + timedelta(hours=hours),
                                  venue="体育馆", booth_count=extra.pop("booth_count", 10), audience=audience,
                                  apply_deadline=starts - timedelta(days=1), created_by=created_by, **extra)


def make_booth(fair, employer, *, status=BoothStatus.APPROVED, number=None, applied_by=None) -> FairBooth:
    applied_by = applied_by or f.make_staff(Role.EMPLOYER, employer=employer)
    booth = FairBooth.objects.create(fair=fair, employer=employer, status=status, contact_name="王经理",
                                     contact_phone="0551-12345678", booth_number=number, applied_by=applied_by)
    if status == BoothStatus.APPROVED:
        JobFair.objects.filter(pk=fair.pk).update(approved_booths=fair.approved_booths + 1)
    return booth


def session_at(start: datetime) -> tuple:
    """(date, slot code) of the slot that `start` (local) falls in or that starts soonest after it."""
    from apps.infosessions.slots import SLOTS

    local = timezone.localtime(start)
    for slot in SLOTS:
        if local.time() < slot.ends:
            return local.date(), slot.code
    return local.date() + timedelta(days=1), SLOTS[0].code


def make_session(school, employer, *, date=None, slot="pm1", capacity=100, audience=Audience.SCHOOL,
                 status=SessionStatus.SCHEDULED, topic="示例科技2027届校园宣讲会") -> InfoSession:
    room, _ = Room.objects.get_or_create(school=school, name="第一报告厅", defaults={"capacity": capacity})
    requested_by = f.make_staff(Role.EMPLOYER, employer=employer)
    return InfoSession.objects.create(
        employer=employer, school=school, date=date or timezone.localdate(), slot=slot, audience=audience,
        topic=topic, contact_name="王经理", contact_phone="0551-12345678", status=status,
        room=room if status == SessionStatus.SCHEDULED else None,
        capacity=capacity if status == SessionStatus.SCHEDULED else 0, requested_by=requested_by)


def sign_up(session, graduate) -> SessionSignup:
    signup = SessionSignup.objects.create(session=session, graduate=graduate)
    InfoSession.objects.filter(pk=session.pk).update(signup_count=session.signup_count + 1)
    session.refresh_from_db()
    return signup


def slot_start(session) -> datetime:
    from apps.fairs.checkin import event_times

    return event_times(session)[0]


def card_for(graduate_user):
    """A fresh 二维码名片: (card, the link its QR carries)."""
    from django.urls import reverse

    from apps.signing.services import card_issue

    card, token = card_issue(actor=graduate_user)
    return card, "http://testserver" + reverse("sign-card", args=[token])
