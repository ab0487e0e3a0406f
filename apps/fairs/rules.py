"""Who may attend a fair or an info session, decided once (fairs, 宣讲会, check-in and the
graduate's lists all ask here)."""

from __future__ import annotations

from django.db.models import Q

from apps.fairs.models import Audience


def audience_q(graduate, prefix: str = "") -> Q:
    """Events a graduate may attend: their own school's, and school events of their
    province that are open to the province."""
    return Q(**{f"{prefix}school_id": graduate.school_id}) | Q(
        **{f"{prefix}audience": Audience.PROVINCE, f"{prefix}school__province_id": graduate.school.province_id})


def attendance_refusal(event, graduate) -> str:
    """'' when the graduate may attend `event` (a JobFair or an InfoSession), else the reason."""
    if event.school_id == graduate.school_id:
        return ""
    if event.audience == Audience.PROVINCE and event.school.province_id == graduate.school.province_id:
        return ""
    if event.audience == Audience.SCHOOL:
        return f"该活动仅面向{event.school.name}毕业生"
    return "该活动仅面向本省高校毕业生"
