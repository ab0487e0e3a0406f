"""Permission-matrix entries for the intentions pages and API (see permission_expectations.py).

求职意向职位 belongs to the signed-in graduate alone: every graduate persona reaches their own
page and API (there is no id in the URL to reach another's); staff and employers are refused."""

from __future__ import annotations

from tests.security.permission_expectations import GRADUATES, Page, _p

PAGES: dict = {
    "job-intentions": Page(GRADUATES),
}
API: dict = {
    "apps_jobs_api_intentions_get_mine": _p(GRADUATES),
    "apps_jobs_api_intentions_save_mine": _p(GRADUATES),
    "apps_jobs_api_intentions_my_matches": _p(GRADUATES),
}


def build(w, users) -> None:
    """The owner's intention matches the base posting (w.ids.posting), so the owner's matches
    list is not empty in the matrix; the intention itself has no id in any URL."""
    from apps.jobs.models import JobIntention

    JobIntention.objects.create(graduate=w.objects.owner, category_codes=["13"], place_codes=["3401"],
                                salary_band="5k-8k", notify=True)
