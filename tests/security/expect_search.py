"""Permission-matrix entries for the search pages and API (see permission_expectations.py).

The base posting (w.ids.posting) is published in the owner's school channel: the owner and the
peer (same school) reach it, the stranger (another school) gets a 404 as for a missing one. The
employer persona is verified by the province, so its public profile is open to every graduate
of the province."""

from __future__ import annotations

from tests.security.permission_expectations import GRADUATES, Page, _p

SAME_SCHOOL = frozenset({"owner", "peer"})

PAGES: dict = {
    "job-search": Page(GRADUATES),
    "job-favourites": Page(GRADUATES),
    "job-detail": Page(SAME_SCHOOL, {"pk": "posting"}),
    "job-favourite": Page(SAME_SCHOOL, {"pk": "posting"}, post_only=True),
    "job-employer": Page(GRADUATES, {"pk": "employer"}),
}
API: dict = {
    "apps_jobs_api_search_search": _p(GRADUATES, query={"keyword": "=工程师"}),
    "apps_jobs_api_search_favourites": _p(GRADUATES),
    "apps_jobs_api_search_employer": _p(GRADUATES, {"employer_id": "employer"}),
    "apps_jobs_api_search_detail": _p(SAME_SCHOOL, {"posting_id": "posting"}),
    "apps_jobs_api_search_favourite_add": _p(SAME_SCHOOL, {"posting_id": "posting"}),
    # the stranger has no favourite of it (and cannot make one): a missing one, 404
    "apps_jobs_api_search_favourite_remove": _p(SAME_SCHOOL, {"posting_id": "posting"}),
}


def build(w, users) -> None:
    """The search area uses the base posting and employer of tests/security/jobs_world.py."""
