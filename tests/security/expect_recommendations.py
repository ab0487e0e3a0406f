"""Permission-matrix entries for the 就业推荐表 pages and API (see permission_expectations.py).

The owner has an issued form. The graduate pages are every graduate's own (the PDF only where
one was issued: the owner's); the staff pages belong to the college staff of the owner's
college and the school staff of the owner's school (other colleges and schools see an empty
queue and 404 for the owner's ids); province staff and employers have no access."""

from __future__ import annotations

from tests.security.permission_expectations import GRADUATES, OWNER, OWNER_REVIEWERS, REVIEWERS, Page, _p

PAGES: dict = {
    "my-recommendation": Page(GRADUATES),
    "my-recommendation-request": Page(GRADUATES, post_only=True),
    "my-recommendation-pdf": Page(OWNER),
    "staff-recommendations": Page(REVIEWERS),
    "staff-recommendation": Page(OWNER_REVIEWERS, {"graduate_id": "graduate"}),
    "staff-recommendation-issue": Page(OWNER_REVIEWERS, {"graduate_id": "graduate"}, post_only=True),
    "staff-recommendation-void": Page(OWNER_REVIEWERS, {"pk": "recommendation"}, post_only=True),
    "staff-recommendation-pdf": Page(OWNER_REVIEWERS, {"pk": "recommendation"}),
}
API: dict = {
    "apps_recommendations_api_my_recommendation": _p(GRADUATES),
    "apps_recommendations_api_request_recommendation": _p(GRADUATES),
    "apps_recommendations_api_my_recommendation_pdf": _p(OWNER),
    "apps_recommendations_api_list_recommendations": _p(REVIEWERS),
    "apps_recommendations_api_staff_recommendation": _p(OWNER_REVIEWERS, {"graduate_id": "graduate"}),
    "apps_recommendations_api_issue_recommendation": _p(OWNER_REVIEWERS, {"graduate_id": "graduate"}),
    "apps_recommendations_api_void_recommendation": _p(OWNER_REVIEWERS, {"form_id": "recommendation"}),
    "apps_recommendations_api_recommendation_pdf": _p(OWNER_REVIEWERS, {"form_id": "recommendation"}),
}


def build(w, users) -> None:
    """An issued form for the owner (its PDF is rendered on the first download)."""
    from django.utils import timezone

    from apps.recommendations.services import recommendation_issue, recommendation_request

    recommendation_request(actor=users["owner"])
    form = recommendation_issue(actor=users["college_staff"], graduate=w.objects.owner,
                                opinion="该生品学兼优，特此推荐。", reviewer_name="院系审核人",
                                opinion_date=timezone.localdate(), render_pdf=False)
    w.ids.recommendation = form.pk
