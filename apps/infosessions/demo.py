"""Demo data for 宣讲会 (apps/organisations/demo.py calls it after the demo postings): three
rooms at the demo school, one scheduled session of the demo employer a week ahead with a few
sign-ups, and one request waiting for a room. Deterministic; rows written directly (the demo
has no acting users' requests to replay)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.graduates.models import Graduate
from apps.infosessions.models import InfoSession, Room, SessionSignup, SessionStatus
from apps.jobs.models import Posting, PostingStatus
from apps.organisations.models import Employer, School

DEMO_SCHOOL_CODE = "19001"
ROOMS = (("第一报告厅", 300), ("图书馆学术报告厅", 150), ("教学楼A101", 80))


def demo_infosessions() -> None:
    school = School.objects.filter(code=DEMO_SCHOOL_CODE).first()
    employer_user = User.objects.filter(username="employer", role=Role.EMPLOYER).select_related("employer").first()
    staff = User.objects.filter(username="school_admin", role=Role.SCHOOL_STAFF).first()
    if school is None or employer_user is None or staff is None or Room.objects.filter(school=school).exists():
        return
    employer: Employer = employer_user.employer
    rooms = [Room.objects.create(school=school, name=name, capacity=capacity) for name, capacity in ROOMS]
    today = timezone.localdate()
    postings = list(Posting.objects.filter(employer=employer, status=PostingStatus.PUBLISHED).order_by("id")[:2])
    scheduled = InfoSession.objects.create(
        employer=employer, school=school, date=today + timedelta(days=7), slot="pm1", audience="school",
        topic=f"{employer.name}2027届校园招聘宣讲会", description="公司介绍、岗位说明、现场答疑，欢迎各专业同学参加。",
        expected_size=120, contact_name="王经理", contact_phone="13900001111", requested_by=employer_user,
        status=SessionStatus.SCHEDULED, room=rooms[1], capacity=rooms[1].capacity, decided_by=staff,
        decided_at=timezone.now())
    scheduled.postings.set(postings)
    graduates = list(Graduate.objects.filter(school=school).order_by("id")[:5])
    SessionSignup.objects.bulk_create([SessionSignup(session=scheduled, graduate=g) for g in graduates])
    InfoSession.objects.filter(pk=scheduled.pk).update(signup_count=F("signup_count") + len(graduates))
    InfoSession.objects.create(
        employer=employer, school=school, date=today + timedelta(days=10), slot="ev", audience="province",
        topic="技术岗位专场宣讲会", description="面向计算机类专业，介绍研发岗位和培养体系。", expected_size=60,
        contact_name="王经理", contact_phone="13900001111", requested_by=employer_user)
