"""Demo data for 招聘会 (apps/organisations/demo.py calls it after the demo postings): an
upcoming 双选会 at the demo school with two booths, the demo employer approved with its
postings, a third booth application on the waiting list, a few graduates registered; and a
fair that has ended. Built through the services (the waiting list is a real one)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db.models import F
from django.utils import timezone

SECOND_EMPLOYER_CODE = "91340100MA2N6Q7K3"  # + check digit: a verified employer for the waiting list


def _local(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)), timezone.get_current_timezone())


def demo_fairs() -> None:
    """Idempotent: does nothing when the demo school already has a fair (or no demo employer)."""
    from stdnum.cn import uscc

    from apps.accounts.models import Role, User
    from apps.fairs import services
    from apps.fairs.models import FairInterest, FairKind, FairStatus, JobFair
    from apps.graduates.models import Graduate
    from apps.jobs.demo import _posting
    from apps.jobs.models import PostingStatus
    from apps.organisations.demo import DEMO_CREDIT_CODE, DEMO_PASSWORD, SCHOOLS
    from apps.organisations.models import Employer, EmployerSize, EmployerStatus, School

    school = School.objects.filter(code=SCHOOLS[0]["code"]).first()
    employer = Employer.objects.filter(credit_code=DEMO_CREDIT_CODE).first()
    staff = User.objects.filter(role=Role.SCHOOL_STAFF, school=school).order_by("id").first()
    employer_user = User.objects.filter(role=Role.EMPLOYER, employer=employer).order_by("id").first()
    if None in (school, employer, staff, employer_user) or JobFair.objects.filter(school=school).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    code = SECOND_EMPLOYER_CODE + uscc.calc_check_digit(SECOND_EMPLOYER_CODE)
    second, _ = Employer.objects.get_or_create(credit_code=code, defaults={
        "name": "合肥示例新能源有限公司", "nature_code": "39", "industry_code": "22", "division_id": "340104",
        "address": "合肥市高新区示例路66号", "status": EmployerStatus.VERIFIED, "size": EmployerSize.MEDIUM,
        "contact_name": "赵经理", "contact_mobile": "13900003333", "verifier_province": school.province,
        "introduction": "从事储能电池与光伏系统的研发和生产。", "registered_at": now, "reviewed_at": now,
    })
    second_user, _ = User.objects.get_or_create(username="employer_xny", defaults={
        "role": Role.EMPLOYER, "employer": second, "display_name": "示例新能源人事部",
        "password": make_password(DEMO_PASSWORD)})
    second_posting = _posting(second, school, ("电池工艺工程师", "13", ["231"], (7000, 11000), ["340104"], "school",
                                               "负责电芯制造工艺的开发与改进，材料、化工类专业优先。"),
                              status=PostingStatus.PUBLISHED, when=now, deadline=today + timedelta(days=40))

    day = today + timedelta(days=14)
    fair = services.fair_publish(
        actor=staff, kind=FairKind.MUTUAL_CHOICE, title="2026届毕业生秋季双选会", venue="体育馆一楼",
        starts_at=_local(day, 9), ends_at=_local(day, 16), apply_deadline=_local(day - timedelta(days=3), 17),
        booth_count=1, audience="school", description="面向本校2026届毕业生，请携带学生证和简历入场。")
    postings = list(employer.postings.filter(status=PostingStatus.PUBLISHED, channel_school=school)
                    .order_by("id").values_list("pk", flat=True)[:3])
    booth = services.booth_apply(actor=employer_user, fair=fair, posting_ids=postings, contact_name="王经理",
                                 contact_phone="13900001111", note="需要两张桌子")
    services.booth_decide(actor=staff, booth=booth, action="approve")
    waiting = services.booth_apply(actor=second_user, fair=fair, posting_ids=[second_posting.pk],
                                   contact_name="赵经理", contact_phone="13900003333")
    services.booth_decide(actor=staff, booth=waiting, action="approve")  # full: 候补中（第1位）
    graduates = list(Graduate.objects.filter(school=school).order_by("student_number")[:5])
    FairInterest.objects.bulk_create([FairInterest(fair=fair, graduate=g) for g in graduates])
    JobFair.objects.filter(pk=fair.pk).update(interest_count=F("interest_count") + len(graduates))

    past = today - timedelta(days=30)
    JobFair.objects.create(
        school=school, kind=FairKind.JOB_FAIR, title="2026届毕业生春季招聘会", venue="大学生活动中心",
        starts_at=_local(past, 9), ends_at=_local(past, 15), apply_deadline=_local(past - timedelta(days=5), 17),
        booth_count=50, audience="province", description="面向全省高校毕业生。", status=FairStatus.PUBLISHED,
        created_by=staff)
