"""Permission-matrix entries for 操作日志 (see permission_expectations.py).

Every staff role reads the audit trail of its scope (college staff: their college; school staff:
their school; province staff: their province) and may run the 审计链校验 of its school (province
staff: a school of the province, the owner's here). Graduates and employers have no access."""

from __future__ import annotations

from tests.security.permission_expectations import STAFF, Page, _p

PAGES: dict = {
    "staff-audit": Page(STAFF),
    "staff-audit-verify": Page(STAFF, post_only=True),
}
API: dict = {
    "apps_backoffice_api_audit_list_audit_actions": _p(STAFF),
    "apps_backoffice_api_audit_list_audit_entries": _p(STAFF),
    "apps_backoffice_api_audit_get_audit_verification": _p(STAFF, query={"school_id": "school"}),
    "apps_backoffice_api_audit_verify_audit_chain": _p(STAFF),
}


def build(w, users) -> None:
    """Nothing extra: the owner's records already wrote entries to the school's chain."""
