"""The fair doors: publishing with its checks, booth applications and their refusals, the
waiting list (full → 候补, withdraw/remove → the earliest waiting moves up and is told), interest
and the day-before reminder (sent once, a rerun sends nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.fairs import services
from apps.fairs.models import BoothStatus, FairBooth, FairInterest, FairStatus, JobFair
from apps.fairs.presenters import booth_state, fair_state
from apps.notifications.models import Notification
from tests import factories as f
from tests.fairs.conftest import apply, fair_fields, make_employer_user, publish

pytestmark = pytest.mark.django_db


def _notes(employer, kind="fair.booth"):
    return list(Notification.objects.filter(employer=employer, kind=kind).order_by("id")
                .values_list("title", flat=True))


# --- publishing ------------------------------------------------------------------------

def test_school_staff_publish_and_the_fair_is_audited(world):
    fair = publish(world)
    assert fair.school_id == world.school.pk and fair.status == FairStatus.PUBLISHED
    assert AuditEntry.objects.filter(action="fair.publish", school_id=world.school.pk).exists()
    assert fair_state(fair).title == "报名中" and "剩余2个展位" in fair_state(fair).text


@pytest.mark.parametrize("over, field", [
    ({"title": " "}, "title"),
    ({"venue": ""}, "venue"),
    ({"booth_count": 0}, "booth_count"),
    ({"booth_count": 501}, "booth_count"),
    ({"booth_count": "很多"}, "booth_count"),
    ({"starts_at": timezone.now() - timedelta(hours=1)}, "starts_at"),
    ({"ends_at": timezone.now() + timedelta(days=9)}, "ends_at"),
    ({"apply_deadline": timezone.now() + timedelta(days=11)}, "apply_deadline"),
    ({"starts_at": "明天"}, "starts_at"),
    ({"audience": "world"}, "audience"),
])
def test_publish_refusals_name_the_field_in_chinese_and_change_nothing(world, over, field):
    with pytest.raises(DomainError) as caught:
        publish(world, **over)
    assert field in caught.value.fields
    assert JobFair.objects.count() == 0


def test_form_strings_are_read_as_local_time(world):
    day = (timezone.localdate() + timedelta(days=20)).isoformat()
    fair = publish(world, starts_at=f"{day}T09:00", ends_at=f"{day}T12:00", apply_deadline=f"{day}T08:00",
                   booth_count="3")
    assert f"{timezone.localtime(fair.starts_at):%H:%M}" == "09:00" and fair.booth_count == 3


@pytest.mark.parametrize("persona", ["college_admin", "province_admin", "employer_user", "graduate_user"])
def test_only_school_staff_publish(world, persona):
    with pytest.raises(Forbidden):
        services.fair_publish(actor=getattr(world, persona), **fair_fields())


def test_another_schools_staff_cannot_touch_the_fair(fairs_world):
    w = fairs_world
    fair = publish(w)
    booth = apply(w.emp_a, fair)
    with pytest.raises(NotFound):
        services.fair_cancel(actor=w.other_school_admin, fair=fair, reason="场地冲突")
    with pytest.raises(NotFound):
        services.booth_decide(actor=w.other_school_admin, booth=booth, action="approve")
    with pytest.raises(NotFound):
        services.fair_update(actor=w.other_school_admin, fair=fair, **fair_fields())


def test_update_cannot_go_below_the_approved_booths_and_more_booths_promote(fairs_world):
    w = fairs_world
    fair = publish(w, booth_count=1)
    a, b = apply(w.emp_a, fair), apply(w.emp_b, fair)
    services.booth_decide(actor=w.school_admin, booth=a, action="approve")
    services.booth_decide(actor=w.school_admin, booth=b, action="approve")
    with pytest.raises(DomainError) as caught:
        services.fair_update(actor=w.school_admin, fair=fair, **fair_fields(booth_count=0))
    assert "booth_count" in caught.value.fields
    services.fair_update(actor=w.school_admin, fair=fair, **fair_fields(booth_count=2))
    b.refresh_from_db()
    fair.refresh_from_db()
    assert b.status == BoothStatus.APPROVED and b.booth_number == 2 and fair.approved_booths == 2
    assert any("候补转正" in t for t in _notes(w.emp_b.employer))


def test_cancel_tells_interested_graduates_and_employers_with_live_applications(fairs_world):
    w = fairs_world
    fair = publish(w)
    a = apply(w.emp_a, fair)
    services.booth_decide(actor=w.school_admin, booth=a, action="approve")
    b = apply(w.emp_b, fair)
    services.booth_withdraw(actor=w.emp_b.user, booth=b)
    services.fair_interest_toggle(actor=w.graduate_user, fair=fair)
    with pytest.raises(DomainError) as caught:
        services.fair_cancel(actor=w.school_admin, fair=fair, reason="")
    assert "reason" in caught.value.fields
    services.fair_cancel(actor=w.school_admin, fair=fair, reason="体育馆维修")
    fair.refresh_from_db()
    assert fair.status == FairStatus.CANCELLED and fair_state(fair).title == "已取消"
    assert Notification.objects.filter(kind="fair.cancelled", graduate=w.graduate).count() == 1
    assert Notification.objects.filter(kind="fair.cancelled", employer=w.emp_a.employer).count() == 1
    assert not Notification.objects.filter(kind="fair.cancelled", employer=w.emp_b.employer).exists()
    with pytest.raises(DomainError):
        services.fair_cancel(actor=w.school_admin, fair=fair, reason="再取消一次")
    with pytest.raises(DomainError):
        apply(w.emp_c, fair)


# --- booth applications ----------------------------------------------------------------

def test_apply_refusals(fairs_world):
    w = fairs_world
    fair = publish(w)
    other = make_employer_user(w, "丁公司有限公司")
    cases = [
        ({"posting_ids": []}, "postings"),
        ({"posting_ids": [other.posting.pk]}, "postings"),  # not its own
        ({"posting_ids": ["x"]}, "postings"),
        ({"contact_name": ""}, "contact_name"),
        ({"contact_phone": "12345"}, "contact_phone"),
    ]
    for over, field in cases:
        with pytest.raises(DomainError) as caught:
            apply(w.emp_a, fair, **over)
        assert field in caught.value.fields, over
    closed = f.make_posting(w.emp_a.employer, w.school, title="已截止职位", days_left=-1)
    with pytest.raises(DomainError):
        apply(w.emp_a, fair, posting_ids=[closed.pk])
    assert FairBooth.objects.count() == 0
    apply(w.emp_a, fair)
    with pytest.raises(DomainError) as caught:
        apply(w.emp_a, fair)
    assert "重复" in caught.value.message


def test_apply_after_the_deadline_is_refused(fairs_world):
    w = fairs_world
    fair = publish(w)
    JobFair.objects.filter(pk=fair.pk).update(apply_deadline=timezone.now() - timedelta(minutes=1))
    fair.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        apply(w.emp_a, fair)
    assert "截止" in caught.value.message
    assert fair_state(fair).title == "报名已截止"


def test_channel_rule_decides_which_employers_may_apply(fairs_world):
    w = fairs_world
    fair = publish(w)
    other_school = make_employer_user(w, "外校认证公司", verifier_school=w.other_school)
    with pytest.raises(DomainError) as caught:
        apply(other_school, fair)
    assert "其他院校" in caught.value.message
    own_school = make_employer_user(w, "本校认证公司", verifier_school=w.school)
    assert apply(own_school, fair).status == BoothStatus.PENDING
    suspended = make_employer_user(w, "停用公司")
    suspended.employer.status = "suspended"
    suspended.employer.save()
    with pytest.raises(DomainError):
        apply(suspended, fair)


def test_withdrawn_or_rejected_employer_may_apply_again(fairs_world):
    w = fairs_world
    fair = publish(w)
    booth = apply(w.emp_a, fair)
    services.booth_decide(actor=w.school_admin, booth=booth, action="reject", reason="行业不符")
    booth.refresh_from_db()
    assert booth_state(booth, viewer_role="employer").title == "已驳回"
    assert "行业不符" in booth_state(booth, viewer_role="employer").text
    again = apply(w.emp_a, fair)
    services.booth_withdraw(actor=w.emp_a.user, booth=again)
    assert apply(w.emp_a, fair).status == BoothStatus.PENDING


# --- decisions and the waiting list ----------------------------------------------------

def test_approve_when_full_goes_to_the_waiting_list_and_promotion_keeps_its_order(fairs_world):
    w = fairs_world
    fair = publish(w, booth_count=1)
    a, b, c = apply(w.emp_a, fair), apply(w.emp_b, fair), apply(w.emp_c, fair)
    for booth in (a, c, b):  # c is decided before b: c waits first
        services.booth_decide(actor=w.school_admin, booth=booth, action="approve")
    for booth in (a, b, c):
        booth.refresh_from_db()
    assert a.status == BoothStatus.APPROVED and a.booth_number == 1
    assert (b.status, c.status) == (BoothStatus.WAITING, BoothStatus.WAITING)
    assert booth_state(c, viewer_role="employer").title == "候补中（第1位）"
    assert booth_state(b, viewer_role="employer").title == "候补中（第2位）"
    assert "候补" in _notes(w.emp_b.employer)[-1]
    services.booth_withdraw(actor=w.emp_a.user, booth=a)
    b.refresh_from_db()
    c.refresh_from_db()
    assert c.status == BoothStatus.APPROVED and c.booth_number == 1 and b.status == BoothStatus.WAITING
    assert "候补转正" in _notes(w.emp_c.employer)[-1]
    assert booth_state(b, viewer_role="employer").title == "候补中（第1位）"
    services.booth_decide(actor=w.school_admin, booth=c, action="remove", reason="未按要求提交材料")
    b.refresh_from_db()
    c.refresh_from_db()
    fair.refresh_from_db()
    assert c.status == BoothStatus.REMOVED and b.status == BoothStatus.APPROVED and fair.approved_booths == 1
    assert "候补转正" in _notes(w.emp_b.employer)[-1]
    assert AuditEntry.objects.filter(action="fair.booth_approve").count() == 3


def test_lowest_free_booth_number_is_given(fairs_world):
    w = fairs_world
    fair = publish(w, booth_count=3)
    a, b, c = apply(w.emp_a, fair), apply(w.emp_b, fair), apply(w.emp_c, fair)
    services.booth_decide(actor=w.school_admin, booth=a, action="approve")
    services.booth_decide(actor=w.school_admin, booth=b, action="approve")
    services.booth_withdraw(actor=w.emp_a.user, booth=a)
    services.booth_decide(actor=w.school_admin, booth=c, action="approve")
    c.refresh_from_db()
    assert c.booth_number == 1


def test_decide_refusals(fairs_world):
    w = fairs_world
    fair = publish(w)
    booth = apply(w.emp_a, fair)
    with pytest.raises(DomainError) as caught:
        services.booth_decide(actor=w.school_admin, booth=booth, action="reject", reason="")
    assert "reason" in caught.value.fields
    with pytest.raises(DomainError):
        services.booth_decide(actor=w.school_admin, booth=booth, action="remove", reason="不是已通过的")
    with pytest.raises(DomainError):
        services.booth_decide(actor=w.school_admin, booth=booth, action="delete")
    with pytest.raises(Forbidden):
        services.booth_decide(actor=w.province_admin, booth=booth, action="approve")
    services.booth_decide(actor=w.school_admin, booth=booth, action="approve")
    with pytest.raises(DomainError):
        services.booth_decide(actor=w.school_admin, booth=booth, action="approve")
    booth.refresh_from_db()
    assert booth.status == BoothStatus.APPROVED and booth.booth_number == 1


def test_withdraw_refusals(fairs_world):
    w = fairs_world
    fair = publish(w)
    booth = apply(w.emp_a, fair)
    with pytest.raises(NotFound):
        services.booth_withdraw(actor=w.emp_b.user, booth=booth)
    services.booth_withdraw(actor=w.emp_a.user, booth=booth)
    with pytest.raises(DomainError):
        services.booth_withdraw(actor=w.emp_a.user, booth=booth)
    again = apply(w.emp_a, fair)
    JobFair.objects.filter(pk=fair.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(DomainError) as caught:
        services.booth_withdraw(actor=w.emp_a.user, booth=again)
    assert "已开始" in caught.value.message


# --- graduates -------------------------------------------------------------------------

def test_interest_toggles_and_keeps_the_counter(fairs_world):
    w = fairs_world
    fair = publish(w)
    assert services.fair_interest_toggle(actor=w.graduate_user, fair=fair) is True
    assert services.fair_interest_toggle(actor=w.graduate_user, fair=fair, interested=True) is True
    fair.refresh_from_db()
    assert fair.interest_count == 1
    assert services.fair_interest_toggle(actor=w.graduate_user, fair=fair) is False
    fair.refresh_from_db()
    assert fair.interest_count == 0 and not FairInterest.objects.exists()


def test_a_graduate_of_another_school_is_refused_at_a_school_only_fair(fairs_world):
    w = fairs_world
    fair = publish(w)
    with pytest.raises(DomainError) as caught:
        services.fair_interest_toggle(actor=w.stranger_user, fair=fair)
    assert "仅面向安徽示例大学毕业生" in caught.value.message
    open_fair = publish(w, audience="province", title="全省双选会")
    assert services.fair_interest_toggle(actor=w.stranger_user, fair=open_fair) is True


def test_reminder_is_sent_once_the_day_before(fairs_world):
    w = fairs_world
    start = timezone.localtime() + timedelta(days=1)
    fair = publish(w, starts_at=start, ends_at=start + timedelta(hours=3), apply_deadline=timezone.now()
                   + timedelta(hours=1))
    later = publish(w, title="下周的招聘会")
    for actor in (w.graduate_user, f.graduate_user(w.classmate)):
        services.fair_interest_toggle(actor=actor, fair=fair)
        services.fair_interest_toggle(actor=actor, fair=later)
    assert services.send_fair_reminders() == 2
    assert services.send_fair_reminders() == 0
    notes = Notification.objects.filter(kind="fair.reminder")
    assert notes.count() == 2 and all("明天参加招聘会" in n.title for n in notes)
    assert not FairInterest.objects.filter(fair=fair, reminded_at__isnull=True).exists()
    assert FairInterest.objects.filter(fair=later, reminded_at__isnull=True).count() == 2
