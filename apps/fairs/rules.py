"""Who may attend a fair or an info session, decided once (fairs, 宣讲会, check-in and the
graduate's lists all ask here); and when an employer may read its booth visitors' résumés."""

from __future__ import annotations

from django.db.models import Q

from apps.fairs.models import Audience, BoothStatus

# The graduate columns an attendance door (check-in, 宣讲会 sign-up) reads: the rule below, the
# name and school it shows, the college its audit entry is scoped to. Not the whole row, whose
# encrypted ID number and phones would be decrypted on every scan of a busy fair morning.
ATTENDEE_COLUMNS = ("id", "name", "school_id", "college_id", "school__id", "school__name", "school__province_id")


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


def visitor_resume_refusal(booth) -> str:
    """'' while the employer may read the résumés its booth's visitors agreed to share: the booth
    is still in the fair (a withdrawn booth, or one the school removed, e.g. after a 举报, loses
    them) and the unit is verified (a suspended unit reads none, as in 人才查找)."""
    from apps.organisations.models import EmployerStatus

    if booth.status == BoothStatus.WITHDRAWN:
        return "本单位已撤回该展位，不能再查看到访毕业生的简历"
    if booth.status != BoothStatus.APPROVED:
        return "该展位已被学校取消参会，不能再查看到访毕业生的简历"
    if booth.employer.status != EmployerStatus.VERIFIED:
        return "本单位未通过认证或已被停用，不能查看到访毕业生的简历"
    return ""
