"""停用 / 恢复: a suspended employer's postings vanish from search at once and it can send no
signing invitation; reinstating gives back the state it had."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Forbidden
from apps.employers.services import employer_reinstate, employer_suspend
from apps.jobs.models import Posting, PostingStatus
from apps.jobs.selectors import postings_open_to
from apps.notifications.models import Notification
from apps.organisations.models import EmployerStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def _published(world):
    return Posting.objects.create(
        employer=world.employer, channel_province=world.province, channel_school=world.school, title="软件工程师",
        category_code="21", openings=2, salary_min=6000, salary_max=9000, description="负责后端开发",
        contact_name="张经理", contact_phone="13800001111", deadline=timezone.localdate() + timedelta(days=30),
        status=PostingStatus.PUBLISHED, published_at=timezone.now())


def test_suspended_employers_posting_vanishes_from_search_at_once(world):
    posting = _published(world)
    assert list(postings_open_to(world.graduate)) == [posting]

    employer_suspend(actor=world.province_admin, employer=world.employer, reason="冒用他人名义招聘")

    world.employer.refresh_from_db()
    assert world.employer.status == EmployerStatus.SUSPENDED
    assert world.employer.status_reason == "冒用他人名义招聘"
    assert list(postings_open_to(world.graduate)) == []
    note = Notification.objects.get(employer=world.employer, kind="employer.review")
    assert "停用" in note.title and "冒用他人名义招聘" in note.body
    assert AuditEntry.objects.filter(action="employer.suspend", target_id=str(world.employer.pk)).exists()

    employer_reinstate(actor=world.province_admin, employer=world.employer)
    world.employer.refresh_from_db()
    assert world.employer.status == EmployerStatus.VERIFIED  # the state before the suspension
    assert list(postings_open_to(world.graduate)) == [posting]


def test_suspension_needs_a_reason_and_happens_once(world):
    with pytest.raises(DomainError) as exc:
        employer_suspend(actor=world.province_admin, employer=world.employer, reason="  ")
    assert exc.value.message == "请填写停用原因"
    employer_suspend(actor=world.province_admin, employer=world.employer, reason="虚假招聘")
    with pytest.raises(DomainError) as exc:
        employer_suspend(actor=world.province_admin, employer=world.employer, reason="虚假招聘")
    assert exc.value.message == "该单位已停用"


def test_pending_employer_reinstated_is_pending_again(world):
    employer = f.make_employer("91340100MA2N0XXX02", "待审单位", status=EmployerStatus.PENDING, province=world.province)
    employer_suspend(actor=world.province_admin, employer=employer, reason="可疑")
    employer_reinstate(actor=world.province_admin, employer=employer)
    employer.refresh_from_db()
    assert employer.status == EmployerStatus.PENDING


def test_who_may_suspend(world):
    school_verified = f.make_employer("91340100MA2N0XXX03", "校认证单位", verifier_school=world.school)
    # a school suspends only employers it verifies; the province any of its province
    with pytest.raises(Forbidden):
        employer_suspend(actor=world.school_admin, employer=world.employer, reason="虚假招聘")
    with pytest.raises(Forbidden):
        employer_suspend(actor=world.other_school_admin, employer=school_verified, reason="虚假招聘")
    with pytest.raises(Forbidden):
        employer_suspend(actor=world.college_admin, employer=school_verified, reason="虚假招聘")
    employer_suspend(actor=world.school_admin, employer=school_verified, reason="虚假招聘")
    employer_reinstate(actor=world.province_admin, employer=school_verified)
    school_verified.refresh_from_db()
    assert school_verified.status == EmployerStatus.VERIFIED
