"""Permission-matrix entries for the postings pages and API (see permission_expectations.py).

w.ids.posting (published) and w.ids.pending_posting belong to the employer persona and are in
the owner's school channel: that school's staff review them; the province staff see every
channel of the province (and may take down) but review only the province channel; another
school's staff and college staff see nothing."""

from __future__ import annotations

from tests.security.permission_expectations import EMPLOYERS, Page, _p

MINE = frozenset({"employer"})
CHANNEL_STAFF = frozenset({"school_staff", "province_staff"})
QUEUE_READERS = frozenset({"school_staff", "other_school_staff", "province_staff"})
REVIEWER = frozenset({"school_staff"})

PAGES: dict = {
    "employer-postings": Page(EMPLOYERS),
    "employer-posting-new": Page(EMPLOYERS),
    "employer-posting-detail": Page(MINE, {"pk": "posting"}),
    "employer-posting-edit": Page(MINE, {"pk": "posting"}),
    "employer-posting-submit": Page(MINE, {"pk": "posting"}, post_only=True),
    "employer-posting-close": Page(MINE, {"pk": "posting"}, post_only=True),
    "staff-postings": Page(QUEUE_READERS),
    "staff-posting-detail": Page(CHANNEL_STAFF, {"pk": "pending_posting"}),
    "staff-posting-review": Page(REVIEWER, {"pk": "pending_posting"}, post_only=True),
    "staff-posting-take-down": Page(CHANNEL_STAFF, {"pk": "posting"}, post_only=True),
}
API: dict = {
    "apps_jobs_api_postings_list_channels": _p(EMPLOYERS),
    "apps_jobs_api_postings_list_mine": _p(EMPLOYERS),
    "apps_jobs_api_postings_create_posting": _p(EMPLOYERS),
    "apps_jobs_api_postings_get_mine": _p(MINE, {"posting_id": "posting"}),
    "apps_jobs_api_postings_update_posting": _p(MINE, {"posting_id": "posting"}),
    "apps_jobs_api_postings_submit_posting": _p(MINE, {"posting_id": "pending_posting"}),
    "apps_jobs_api_postings_close_posting": _p(MINE, {"posting_id": "posting"}),
    "apps_jobs_api_postings_list_queue": _p(QUEUE_READERS),
    "apps_jobs_api_postings_get_for_review": _p(CHANNEL_STAFF, {"posting_id": "pending_posting"}),
    "apps_jobs_api_postings_review_posting": _p(REVIEWER, {"posting_id": "pending_posting"}),
    "apps_jobs_api_postings_take_down_posting": _p(CHANNEL_STAFF, {"posting_id": "posting"}),
}


def build(w, users) -> None:
    """The base postings (tests/security/jobs_world.py) are all this area needs."""
