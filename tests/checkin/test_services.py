"""签到 doors: who may check in, when, with which code; each graduate counts once; staff scan the
名片 by short code or link; 宣讲会 seats; booth visits and résumé consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError
from apps.fairs import checkin
from apps.fairs.models import Audience, BoothStatus, BoothVisit, CheckInMethod, FairCheckIn, FairStatus, JobFair
from apps.fairs.services_checkin import (
    booth_visit_record,
    fair_check_in,
    fair_check_in_card,
    session_check_in,
    session_check_in_card,
)
from apps.infosessions.models import InfoSession, SessionCheckIn, SessionStatus
from tests import factories as f
from tests.checkin.helpers import card_for, make_booth, make_fair, make_session, sign_up, slot_start

pytestmark = pytest.mark.django_db


def code_now(event, at=None):
    return checkin.rotating_code(event.checkin_secret, at=at or timezone.now())


def test_graduate_checks_in_with_the_current_code_and_counts_once(world):
    fair = make_fair(world.school)
    first = fair_check_in(actor=world.graduate_user, fair=fair, code=code_now(fair))
    assert first.created
    second = fair_check_in(actor=world.graduate_user, fair=fair, code=code_now(fair))
    assert not second.created and second.row.pk == first.row.pk
    fair.refresh_from_db()
    assert fair.checkin_count == 1
    assert FairCheckIn.objects.get().method == CheckInMethod.SCAN_EVENT_CODE
    entry = AuditEntry.objects.get(action="fair.checkin")
    assert entry.actor == world.graduate_user and entry.graduate_id == world.graduate.pk


def test_a_code_older_than_its_validity_is_refused_and_changes_nothing(world):
    fair = make_fair(world.school)
    now = timezone.now()
    old = checkin.rotating_code(fair.checkin_secret, at=now - timedelta(seconds=checkin.valid_seconds() + 30))
    with pytest.raises(DomainError) as refused:
        fair_check_in(actor=world.graduate_user, fair=fair, code=old, now=now)
    assert refused.value.message == checkin.MSG_CODE_EXPIRED
    previous = checkin.rotating_code(fair.checkin_secret, at=now - timedelta(seconds=checkin.rotate_seconds()))
    assert fair_check_in(actor=world.graduate_user, fair=fair, code=previous, now=now).created
    assert FairCheckIn.objects.count() == 1


def test_a_scan_remembered_across_the_login_is_checked_at_the_time_of_the_scan(world):
    fair = make_fair(world.school)
    scanned = timezone.now() - timedelta(minutes=3)
    code = checkin.rotating_code(fair.checkin_secret, at=scanned)
    note = checkin.scan_note(fair, code, at=scanned)
    assert checkin.scan_note_time(fair, "WRONGCOD", note) is None
    assert fair_check_in(actor=world.graduate_user, fair=fair, code=code,
                         scanned_at=checkin.scan_note_time(fair, code, note)).created


def test_check_in_opens_an_hour_before_and_closes_at_the_end(world, settings):
    settings.CHECKIN_OPENS_MINUTES_BEFORE = 60
    early = make_fair(world.school, starts_in=timedelta(minutes=90))
    with pytest.raises(DomainError) as refused:
        fair_check_in(actor=world.graduate_user, fair=early, code=code_now(early))
    assert "签到尚未开始" in refused.value.message and "60分钟" in refused.value.message
    over = make_fair(world.school, starts_in=-timedelta(hours=4), hours=3)
    with pytest.raises(DomainError) as refused:
        fair_check_in(actor=world.graduate_user, fair=over, code=code_now(over))
    assert refused.value.message == "活动已结束，签到已关闭"
    soon = make_fair(world.school, starts_in=timedelta(minutes=50))
    assert fair_check_in(actor=world.graduate_user, fair=soon, code=code_now(soon)).created
    assert FairCheckIn.objects.count() == 1


def test_other_school_graduate_refused_at_a_school_only_fair_welcome_at_a_province_fair(world):
    school_only = make_fair(world.school)
    with pytest.raises(DomainError) as refused:
        fair_check_in(actor=world.stranger_user, fair=school_only, code=code_now(school_only))
    assert refused.value.message == "该活动仅面向安徽示例大学毕业生"
    open_fair = make_fair(world.school, audience=Audience.PROVINCE)
    assert fair_check_in(actor=world.stranger_user, fair=open_fair, code=code_now(open_fair)).created
    assert FairCheckIn.objects.count() == 1


def test_cancelled_fair_refuses_check_in(world):
    fair = make_fair(world.school, status=FairStatus.CANCELLED)
    with pytest.raises(DomainError, match="已取消"):
        fair_check_in(actor=world.graduate_user, fair=fair, code=code_now(fair))


def test_only_graduates_scan(world):
    fair = make_fair(world.school)
    with pytest.raises(DomainError) as refused:
        fair_check_in(actor=world.school_admin, fair=fair, code=code_now(fair))
    assert refused.value.status == 403


# --- 名片 ------------------------------------------------------------------------------------

def test_staff_check_in_by_card_short_code_and_by_scanned_link(world):
    fair = make_fair(world.school)
    card, _ = card_for(world.graduate_user)
    result = fair_check_in_card(actor=world.school_admin, fair=fair, card_code=card.short_code.lower(),
                                client_address="10.0.0.1")
    assert result.created and result.graduate == world.graduate
    row = FairCheckIn.objects.get()
    assert row.method == CheckInMethod.STAFF_SCAN_CARD and row.recorded_by == world.school_admin
    assert AuditEntry.objects.get(action="fair.checkin").actor == world.school_admin

    classmate_user = f.graduate_user(world.classmate)
    _, link = card_for(classmate_user)
    assert fair_check_in_card(actor=world.school_admin, fair=fair, card_code=link).created
    again = fair_check_in_card(actor=world.school_admin, fair=fair, card_code=link)
    assert not again.created
    fair.refresh_from_db()
    assert fair.checkin_count == 2


def test_card_refusals(world):
    fair = make_fair(world.school)
    card, link = card_for(world.graduate_user)
    with pytest.raises(DomainError) as refused:
        fair_check_in_card(actor=world.other_school_admin, fair=fair, card_code=card.short_code)
    assert refused.value.status == 403
    with pytest.raises(DomainError) as refused:
        fair_check_in_card(actor=world.school_admin, fair=fair, card_code=link[:-3] + "xx/")
    assert "二维码无效" in refused.value.message
    with pytest.raises(DomainError, match="名片码不存在"):
        fair_check_in_card(actor=world.school_admin, fair=fair, card_code="ZZZZZZZZ", client_address="10.0.0.2")
    with pytest.raises(DomainError, match="请扫描或输入"):
        fair_check_in_card(actor=world.school_admin, fair=fair, card_code="  ")
    with pytest.raises(DomainError, match="已过期"):
        fair_check_in_card(actor=world.school_admin, fair=fair, card_code=card.short_code,
                           now=card.expires_at + timedelta(seconds=1))
    stranger_card, _ = card_for(world.stranger_user)
    with pytest.raises(DomainError, match="仅面向安徽示例大学"):
        fair_check_in_card(actor=world.school_admin, fair=fair, card_code=stranger_card.short_code)
    assert FairCheckIn.objects.count() == 0 and JobFair.objects.get().checkin_count == 0


# --- 宣讲会 ----------------------------------------------------------------------------------------

def _session_now(session):
    return slot_start(session) - timedelta(minutes=5)


def test_session_check_in_by_code_and_card(world):
    session = make_session(world.school, world.employer)
    now = _session_now(session)
    code = checkin.rotating_code(session.checkin_secret, at=now)
    assert session_check_in(actor=world.graduate_user, session=session, code=code, now=now).created
    assert not session_check_in(actor=world.graduate_user, session=session, code=code, now=now).created
    with freeze_time(now):  # the card lives 60 minutes: issue it at the session's time, not the clock's
        card, _ = card_for(f.graduate_user(world.classmate))
    assert session_check_in_card(actor=world.school_admin, session=session, card_code=card.short_code,
                                 now=now).created
    session.refresh_from_db()
    assert session.checkin_count == 2
    assert AuditEntry.objects.filter(action="session.checkin").count() == 2


def test_session_must_be_scheduled(world):
    session = make_session(world.school, world.employer, status=SessionStatus.PENDING)
    now = _session_now(session)
    with pytest.raises(DomainError, match="尚未安排"):
        session_check_in(actor=world.graduate_user, session=session,
                         code=checkin.rotating_code(session.checkin_secret, at=now), now=now)


def test_full_session_lets_in_signed_up_graduates_only(world):
    session = make_session(world.school, world.employer, capacity=2)
    now = _session_now(session)
    code = checkin.rotating_code(session.checkin_secret, at=now)
    third = f.make_graduate(college=world.college, major=world.major, name="孙丽", student_number="2022010199")
    sign_up(session, world.classmate)
    # one seat left: a walk-in takes it
    assert session_check_in(actor=world.graduate_user, session=session, code=code, now=now).created
    with pytest.raises(DomainError) as refused:
        session_check_in(actor=f.graduate_user(third), session=session, code=code, now=now)
    assert refused.value.message == "本场宣讲会已满员，现场仅限已报名的同学签到"
    # the signed-up graduate still gets in
    assert session_check_in(actor=f.graduate_user(world.classmate), session=session, code=code, now=now).created
    assert SessionCheckIn.objects.count() == 2
    assert InfoSession.objects.get().checkin_count == 2


# --- 到访 -----------------------------------------------------------------------------------------

def test_booth_visit_needs_check_in_and_an_approved_booth(world):
    fair = make_fair(world.school)
    booth = make_booth(fair, world.employer, number=1)
    with pytest.raises(DomainError, match="请先在招聘会现场签到"):
        booth_visit_record(actor=world.graduate_user, booth=booth, share_resume=True)
    fair_check_in(actor=world.graduate_user, fair=fair, code=code_now(fair))
    other = f.make_employer(credit_code="91340100MA2N0YYY02", name="江淮汽车示例公司")
    waiting = make_booth(fair, other, status=BoothStatus.WAITING)
    with pytest.raises(DomainError, match="未在本场招聘会参展"):
        booth_visit_record(actor=world.graduate_user, booth=waiting, share_resume=True)
    assert BoothVisit.objects.count() == 0


def test_booth_visit_counts_once_and_consent_can_change(world):
    fair = make_fair(world.school)
    booth = make_booth(fair, world.employer, number=1)
    fair_check_in(actor=world.graduate_user, fair=fair, code=code_now(fair))
    visit, created = booth_visit_record(actor=world.graduate_user, booth=booth, share_resume=False)
    assert created and not visit.share_resume
    visit, created = booth_visit_record(actor=world.graduate_user, booth=booth, share_resume=True)
    assert not created and visit.share_resume
    visit, created = booth_visit_record(actor=world.graduate_user, booth=booth, share_resume=True)
    assert not created
    booth.refresh_from_db()
    assert booth.visit_count == 1
    assert list(AuditEntry.objects.filter(action__startswith="fair.booth_visit").values_list("action", flat=True)
                .order_by("position")) == ["fair.booth_visit", "fair.booth_visit_consent"]
