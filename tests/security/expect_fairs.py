"""Permission-matrix entries for the fairs pages and API (see permission_expectations.py).

A fair belongs to the owner's school: its school staff manage it, the province staff read it,
another school's staff do not see it. Employers (both verified by the province) see the fairs of
their channel; only the applying employer withdraws its booth. The fair is for the school's own
graduates: the owner and the peer may read it and register, a graduate of another school may not."""

from __future__ import annotations

from tests.security.permission_expectations import EMPLOYERS, GRADUATES, SCHOOL_ADMINS, Page, _p

MANAGERS = frozenset({"school_staff"})
READERS = frozenset({"school_staff", "province_staff"})
LIST_READERS = frozenset({"school_staff", "other_school_staff", "province_staff"})
APPLICANT = frozenset({"employer"})
AUDIENCE = frozenset({"owner", "peer"})

PAGES: dict = {
    "staff-fairs": Page(LIST_READERS),
    "staff-fair-new": Page(SCHOOL_ADMINS),
    "staff-fair": Page(READERS, {"pk": "fair"}),
    "staff-fair-edit": Page(MANAGERS, {"pk": "fair"}),
    "staff-fair-cancel": Page(MANAGERS, {"pk": "fair"}, post_only=True),
    "staff-fair-booth-decide": Page(MANAGERS, {"pk": "fair", "booth_id": "fair_booth"}, post_only=True),
    "employer-fairs": Page(EMPLOYERS),
    "employer-fair": Page(EMPLOYERS, {"pk": "fair"}),
    "employer-fair-booth-withdraw": Page(APPLICANT, {"pk": "fair_booth"}, post_only=True),
    "fairs": Page(GRADUATES),
    "fair": Page(AUDIENCE, {"pk": "fair"}),
    "fair-interest": Page(AUDIENCE, {"pk": "fair"}, post_only=True),
}
API: dict = {
    "apps_fairs_api_fairs_staff_list": _p(LIST_READERS),
    "apps_fairs_api_fairs_staff_publish": _p(SCHOOL_ADMINS),
    "apps_fairs_api_fairs_staff_get": _p(READERS, {"fair_id": "fair"}),
    "apps_fairs_api_fairs_staff_update": _p(MANAGERS, {"fair_id": "fair"}),
    "apps_fairs_api_fairs_staff_cancel": _p(MANAGERS, {"fair_id": "fair"}),
    "apps_fairs_api_fairs_staff_booths": _p(READERS, {"fair_id": "fair"}),
    "apps_fairs_api_fairs_staff_booth_decide": _p(MANAGERS, {"fair_id": "fair", "booth_id": "fair_booth"}),
    "apps_fairs_api_fairs_employer_list": _p(EMPLOYERS),
    "apps_fairs_api_fairs_employer_booths": _p(EMPLOYERS),
    "apps_fairs_api_fairs_employer_get": _p(EMPLOYERS, {"fair_id": "fair"}),
    "apps_fairs_api_fairs_employer_apply": _p(EMPLOYERS, {"fair_id": "fair"}),
    "apps_fairs_api_fairs_employer_withdraw": _p(APPLICANT, {"booth_id": "fair_booth"}),
    "apps_fairs_api_fairs_graduate_list": _p(GRADUATES),
    "apps_fairs_api_fairs_graduate_get": _p(AUDIENCE, {"fair_id": "fair"}),
    "apps_fairs_api_fairs_graduate_interest": _p(AUDIENCE, {"fair_id": "fair"}),
}


def build(w, users) -> None:
    """An upcoming fair of the owner's school (school audience) with the employer's approved
    booth bringing w.objects.posting, and the owner registered."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.fairs import services

    now = timezone.now()
    fair = services.fair_publish(actor=users["school_staff"], kind="mutual_choice", title="秋季双选会",
                                 venue="体育馆", booth_count=5, audience="school",
                                 starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=10, hours=4),
                                 apply_deadline=now + timedelta(days=5), description="面向本校毕业生。")
    booth = services.booth_apply(actor=users["employer"], fair=fair, posting_ids=[w.objects.posting.pk],
                                 contact_name="王经理", contact_phone="13900001111", note="")
    services.booth_decide(actor=users["school_staff"], booth=booth, action="approve")
    services.fair_interest_toggle(actor=users["owner"], fair=fair, interested=True)
    booth.refresh_from_db()
    fair.refresh_from_db()
    w.objects.fair = fair
    w.objects.fair_booth = booth
    w.ids.fair = fair.pk
    w.ids.fair_booth = booth.pk
