"""Permission-matrix entries for the employers pages and API (see permission_expectations.py).

Employer verification: a unit that asked the owner's school (w.ids.pending_employer, 待审核) is
decided by that school's staff; province staff see every employer of the province (they may
read and suspend it, the review is the school's); other schools' staff, college staff,
graduates and employers have no access. The employer persona's own unit has a pending
sub-account request (w.ids.employer_member) that its main account decides."""

from __future__ import annotations

from tests.security.permission_expectations import EMPLOYERS, EVERYONE, Page, _p

DECIDERS = frozenset({"school_staff", "province_staff"})
QUEUE_READERS = frozenset({"school_staff", "other_school_staff", "province_staff"})
MAIN = frozenset({"employer"})

PAGES: dict = {
    "employer-register": Page(EVERYONE),
    "employer-profile": Page(EMPLOYERS),
    "employer-members": Page(EMPLOYERS),
    "employer-member-decide": Page(MAIN, {"pk": "employer_member"}, post_only=True),
    "staff-employers": Page(QUEUE_READERS),
    "staff-employer-detail": Page(DECIDERS, {"pk": "pending_employer"}),
    "staff-employer-licence": Page(DECIDERS, {"pk": "pending_employer"}),
    "staff-employer-review": Page(DECIDERS, {"pk": "pending_employer"}, post_only=True),
    "staff-employer-suspend": Page(DECIDERS, {"pk": "pending_employer"}, post_only=True),
    "staff-employer-reinstate": Page(DECIDERS, {"pk": "pending_employer"}, post_only=True),
}
API: dict = {
    "apps_employers_api_register": _p(EVERYONE),
    "apps_employers_api_me": _p(EMPLOYERS),
    "apps_employers_api_update_me": _p(EMPLOYERS),
    "apps_employers_api_members": _p(EMPLOYERS),
    "apps_employers_api_decide_member": _p(MAIN, {"member_id": "employer_member"}),
    "apps_employers_api_list_employers": _p(QUEUE_READERS),
    "apps_employers_api_get_employer": _p(DECIDERS, {"employer_id": "pending_employer"}),
    "apps_employers_api_review_employer": _p(DECIDERS, {"employer_id": "pending_employer"}),
    "apps_employers_api_suspend_employer": _p(DECIDERS, {"employer_id": "pending_employer"}),
    "apps_employers_api_reinstate_employer": _p(DECIDERS, {"employer_id": "pending_employer"}),
}


def build(w, users) -> None:
    """A unit waiting for the owner's school's verification (with its licence picture) and a
    sub-account request to the employer persona's unit."""
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from stdnum.cn import uscc

    from apps.accounts.models import Role, User
    from apps.employers.models import EmployerMember
    from apps.organisations.models import Employer, EmployerStatus

    school = w.objects.school
    body = "91340100MA2NTEC9X"
    pending = Employer(credit_code=body + uscc.calc_check_digit(body), name="待审核示例有限公司",
                       status=EmployerStatus.PENDING, verifier_province_id=school.province_id, verifier_school=school,
                       nature_code="39", industry_code="34", contact_name="钱经理", contact_mobile="13955519999",
                       registered_at=timezone.now())
    pending.licence.save("licence.png", ContentFile(_PNG), save=False)
    pending.licence_width = pending.licence_height = 1
    pending.licence_size = len(_PNG)
    pending.save()
    unit = users["employer"].employer
    applicant = User(username="sec-employer-3", role=Role.EMPLOYER, employer=unit, display_name="孙专员",
                     is_active=False)
    applicant.set_unusable_password()
    applicant.save()
    member = EmployerMember.objects.create(user=applicant, employer=unit)
    w.ids.pending_employer = pending.pk
    w.ids.employer_member = member.pk


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf"
    "c0f01f0005000201e5270cd90000000049454e44ae426082"
)
