"""Permission-matrix entries for the applications pages and API (see permission_expectations.py).

The owner applied to w.ids.posting (the employer persona's published posting in the owner's
school channel): w.ids.application. Only that employer and the owner read it; staff have no
page of applications."""

from __future__ import annotations

from tests.security.permission_expectations import EMPLOYERS, GRADUATES, OWNER, Page, _p

EMPLOYER = frozenset({"employer"})

PAGES: dict = {
    # the graduate (phone, 服务)
    "application-apply": Page(GRADUATES, {"pk": "posting"}, post_only=True),
    "my-applications": Page(GRADUATES),
    "application-detail": Page(OWNER, {"pk": "application"}),
    "application-withdraw": Page(OWNER, {"pk": "application"}, post_only=True),
    # the employer of the posting
    "employer-applications": Page(EMPLOYERS),
    "employer-applicants": Page(EMPLOYER, {"pk": "posting"}),
    "employer-application-detail": Page(EMPLOYER, {"pk": "application"}),
    "employer-application-contact": Page(EMPLOYER, {"pk": "application"}, post_only=True),
    "employer-application-advance": Page(EMPLOYER, {"pk": "application"}, post_only=True),
    "employer-application-sign": Page(EMPLOYER, {"pk": "application"}, post_only=True),
}
API: dict = {
    "apps_applications_api_apply_to_posting": _p(GRADUATES),
    "apps_applications_api_my_applications": _p(GRADUATES),
    "apps_applications_api_get_application": _p(OWNER, {"application_id": "application"}),
    "apps_applications_api_withdraw_application": _p(OWNER, {"application_id": "application"}),
    "apps_applications_api_employer_list_applications": _p(EMPLOYERS),
    "apps_applications_api_employer_posting_applicants": _p(EMPLOYER, {"posting_id": "posting"}),
    "apps_applications_api_employer_get_application": _p(EMPLOYER, {"application_id": "application"}),
    "apps_applications_api_employer_advance_application": _p(EMPLOYER, {"application_id": "application"}),
    "apps_applications_api_employer_application_contact": _p(EMPLOYER, {"application_id": "application"}),
    "apps_applications_api_employer_start_signing": _p(EMPLOYER, {"application_id": "application"}),
}


def build(w, users) -> None:
    """Add this area's objects to the security world; their ids go on w.ids."""
    from apps.applications.services import application_submit

    application = application_submit(actor=users["owner"], posting=w.objects.posting)
    w.ids.application = application.pk
