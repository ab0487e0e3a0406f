"""Permission-matrix entries for the graduate directory (毕业生查询, issue 14; see
permission_expectations.py). The list page and the graduate page keep their entries there
(staff-graduates, staff-graduate-detail); here the export and the directory API.

Every staff member may list and export their own scope (another college's or school's staff get
their own graduates, never the owner: the leak check holds); the graduate page answers only staff
in whose scope the owner is (404 for the others); graduates and employers have no access."""

from __future__ import annotations

from tests.security.permission_expectations import OWNER_STAFF, STAFF, Page, _p

PAGES: dict = {
    "staff-graduates-export": Page(STAFF),
}
API: dict = {
    "apps_graduates_api_directory_directory_list": _p(STAFF),
    "apps_graduates_api_directory_directory_export_file": _p(STAFF),
    "apps_graduates_api_directory_directory_detail": _p(OWNER_STAFF, {"graduate_id": "graduate"}),
}


def build(w, users) -> None:
    """Nothing extra in the world for this area."""
