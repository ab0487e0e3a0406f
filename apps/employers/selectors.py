"""Reads of employer accounts. Staff lists start from `visible_to(Employer, actor)` (province
staff: every employer of their province; school staff: the employers that asked their school
for verification); the employer reads its own row and its members."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.scoping import get_visible, visible_to
from apps.core.listing import keyword_pks
from apps.core.text import normalise
from apps.employers.models import EmployerMember
from apps.organisations.models import Employer, EmployerStatus

# the list's ORDER BY: 待审核 ("pending") sorts first among the states, oldest request first;
# served by the (verifier_province|verifier_school, status, registered_at, id) indexes
STAFF_ORDER = ("status", "registered_at", "id")
STAFF_STATUSES = (EmployerStatus.PENDING, EmployerStatus.VERIFIED, EmployerStatus.REJECTED, EmployerStatus.SUSPENDED)
# columns a list row shows (wide and encrypted ones stay unread)
LIST_COLUMNS = ("id", "name", "credit_code", "credit_code_flagged", "status", "status_reason", "registered_at",
                "verifier_province_id", "verifier_school_id", "nature_code", "industry_code", "division_id")


def staff_employers(*, actor, status: str = "", keyword: str = "") -> QuerySet[Employer]:
    """The verification queue / employer list of a staff member: 待审核 first (oldest first).
    `keyword`: an exact credit code or the start of the unit's name."""
    qs = visible_to(Employer, actor).exclude(status=EmployerStatus.UNREGISTERED)
    if status in STAFF_STATUSES:
        qs = qs.filter(status=status)
    keyword = normalise(keyword)
    if keyword:
        qs = qs.filter(pk__in=keyword_pks(qs, keyword, exact=("credit_code",), prefix=("name",))
                       if len(keyword) != 18 else keyword_pks(qs, keyword.upper(), exact=("credit_code",)))
    return (qs.select_related("verifier_school", "verifier_province").only(
        *LIST_COLUMNS, "verifier_school__name", "verifier_province__name").order_by(*STAFF_ORDER))


def staff_employer(*, actor, pk) -> Employer:
    return get_visible(Employer.objects.select_related("verifier_school", "verifier_province", "division",
                                                       "reviewed_by"), actor, pk=pk)


def own_employer(*, actor) -> Employer:
    return get_visible(Employer.objects.select_related("verifier_school", "verifier_province", "division"),
                       actor, pk=actor.employer_id)


def employer_members(*, actor) -> QuerySet[EmployerMember]:
    """The people of the actor's unit: the main account first, then by request time."""
    return visible_to(EmployerMember, actor).select_related("user").order_by("-is_main", "created_at", "id")


def employer_member(*, actor, pk) -> EmployerMember:
    return get_visible(EmployerMember.objects.select_related("user"), actor, pk=pk)
