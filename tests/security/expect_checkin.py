"""Permission-matrix entries for the 签到 pages and API (see permission_expectations.py).

The fair and the 宣讲会 belong to the owner's school and are open to the province; the owner, the
peer and the stranger have all checked in already, so the QR page answers every graduate with
「已签到」 whatever code the URL carries. The screen, the card scan and the current code are
for the event's own school staff; attendance also for the province staff; the booth's visitors
(and the owner's résumé, shared at that booth) for the booth's employer alone."""

from __future__ import annotations

from tests.security.permission_expectations import GRADUATES, Page, _p

HOSTS = frozenset({"school_staff"})
ATTENDANCE = frozenset({"school_staff", "province_staff"})
BOOTH_EMPLOYER = frozenset({"employer"})

PAGES: dict = {
    "staff-fair-checkin-screen": Page(HOSTS, {"pk": "checkin_fair"}),
    "staff-fair-checkin-card": Page(HOSTS, {"pk": "checkin_fair"}, post_only=True),
    "staff-fair-attendance": Page(ATTENDANCE, {"pk": "checkin_fair"}),
    "staff-session-checkin-screen": Page(HOSTS, {"pk": "checkin_session"}),
    "staff-session-checkin-card": Page(HOSTS, {"pk": "checkin_session"}, post_only=True),
    "staff-session-attendance": Page(ATTENDANCE, {"pk": "checkin_session"}),
    "fair-checkin": Page(GRADUATES, {"pk": "checkin_fair", "code": "=ABCDEFGH"}),
    "session-checkin": Page(GRADUATES, {"pk": "checkin_session", "code": "=ABCDEFGH"}),
    "fair-checkin-booths": Page(GRADUATES, {"pk": "checkin_fair"}),
    "fair-booth-visit": Page(GRADUATES, {"pk": "checkin_booth"}, post_only=True),
    "employer-fair-visitors": Page(BOOTH_EMPLOYER, {"booth_id": "checkin_booth"}),
    "employer-fair-visitor": Page(BOOTH_EMPLOYER, {"booth_id": "checkin_booth", "visit_id": "checkin_visit"}),
}
API: dict = {
    "apps_fairs_api_checkin_fair_scan": _p(GRADUATES, {"fair_id": "checkin_fair"}),
    "apps_fairs_api_checkin_session_scan": _p(GRADUATES, {"session_id": "checkin_session"}),
    "apps_fairs_api_checkin_booth_visit": _p(GRADUATES, {"booth_id": "checkin_booth"}),
    "apps_fairs_api_checkin_fair_current_code": _p(HOSTS, {"fair_id": "checkin_fair"}),
    "apps_fairs_api_checkin_session_current_code": _p(HOSTS, {"session_id": "checkin_session"}),
    "apps_fairs_api_checkin_fair_card": _p(HOSTS, {"fair_id": "checkin_fair"}),
    "apps_fairs_api_checkin_session_card": _p(HOSTS, {"session_id": "checkin_session"}),
    "apps_fairs_api_checkin_fair_attendance": _p(ATTENDANCE, {"fair_id": "checkin_fair"}),
    "apps_fairs_api_checkin_session_attendance": _p(ATTENDANCE, {"session_id": "checkin_session"}),
    "apps_fairs_api_checkin_booth_visitors": _p(BOOTH_EMPLOYER, {"booth_id": "checkin_booth"}),
    "apps_fairs_api_checkin_booth_visitor_resume": _p(BOOTH_EMPLOYER,
                                                      {"booth_id": "checkin_booth", "visit_id": "checkin_visit"}),
}


def build(w, users) -> None:
    """A province-open fair and 宣讲会 of the owner's school, running now; the inviting employer's
    approved booth; the owner, the peer and the stranger checked in (by the real doors); the
    owner visited the booth and shares the résumé."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.fairs import checkin
    from apps.fairs.models import Audience, BoothStatus, FairBooth, JobFair
    from apps.fairs.services_checkin import booth_visit_record, fair_check_in, session_check_in
    from apps.infosessions.models import InfoSession, Room, SessionStatus
    from apps.infosessions.slots import SLOTS

    school, employer = w.objects.school, users["employer"].employer
    now = timezone.now()
    fair = JobFair.objects.create(school=school, title="安全测试双选会", starts_at=now - timedelta(minutes=30),
                                  ends_at=now + timedelta(hours=6), venue="体育馆", booth_count=5,
                                  audience=Audience.PROVINCE, apply_deadline=now - timedelta(days=1),
                                  created_by=users["school_staff"], approved_booths=1)
    booth = FairBooth.objects.create(fair=fair, employer=employer, status=BoothStatus.APPROVED, booth_number=1,
                                     contact_name="王经理", contact_phone="0551-12345678",
                                     applied_by=users["employer"])
    room = Room.objects.create(school=school, name="安全测试报告厅", capacity=50)
    session = InfoSession.objects.create(
        employer=employer, school=school, date=timezone.localdate(), slot=SLOTS[0].code, audience=Audience.PROVINCE,
        topic="安全测试宣讲会", contact_name="王经理", contact_phone="0551-12345678", status=SessionStatus.SCHEDULED,
        room=room, capacity=50, requested_by=users["employer"])
    # the session's slot may lie outside today's check-in window: check in at its start
    session_now = checkin.event_times(session)[0]
    for persona in ("owner", "peer", "stranger"):
        fair_check_in(actor=users[persona], fair=fair, code=checkin.rotating_code(fair.checkin_secret, at=now))
        session_check_in(actor=users[persona], session=session, now=session_now,
                         code=checkin.rotating_code(session.checkin_secret, at=session_now))
    visit, _ = booth_visit_record(actor=users["owner"], booth=booth, share_resume=True)
    w.ids.checkin_fair = fair.pk
    w.ids.checkin_session = session.pk
    w.ids.checkin_booth = booth.pk
    w.ids.checkin_visit = visit.pk
