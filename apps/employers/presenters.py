"""What a person reads about an employer account's state (单位认证): one presenter used by the
employer's own pages, the staff pages and the API (`state`). Who may act comes from the
services' own guards (`reviewer_refusal`, `suspender_refusal`)."""

from __future__ import annotations

from apps.accounts.models import Role
from apps.core.states import Action, State
from apps.employers.services import VERIFIED_EDITABLE, reviewer_refusal, suspender_refusal
from apps.organisations.models import Employer, EmployerStatus

_FIELD_NAMES = {"contact_name": "联系人", "contact_mobile": "联系人手机", "address": "地址", "size": "规模",
                "introduction": "简介"}
EDITABLE_WHEN_VERIFIED = "、".join(_FIELD_NAMES[name] for name in VERIFIED_EDITABLE)


def verifier_label(employer: Employer) -> str:
    if employer.verifier_school_id:
        return f"{employer.verifier_school.name}（仅该校渠道有效）"
    if employer.verifier_province_id:
        return f"{employer.verifier_province.name}省级认证（全省有效）"
    return "未选择"


def employer_state(employer: Employer, *, viewer_role: str, actor=None) -> State:
    """viewer_role: "employer" (the unit's own account) or a staff role; `actor` (staff) adds
    the review / suspend / reinstate actions this person may take."""
    status = employer.status
    reason = employer.status_reason
    staff = viewer_role in (Role.PROVINCE_STAFF, Role.SCHOOL_STAFF, Role.COLLEGE_STAFF)
    actions: list[Action] = []
    if status == EmployerStatus.PENDING:
        title, tone = "待审核", "warn"
        who = verifier_label(employer) if employer.verifier_province_id else "审核单位"
        if staff:
            text = f"单位已提交注册，等待{who}审核营业执照和单位信息。"
        else:
            text = (f"注册信息已提交，等待{who}审核。审核期间可以修改单位信息；审核通过后才能发布职位。")
            actions.append(Action("edit", "修改单位信息", "employer-profile"))
    elif status == EmployerStatus.VERIFIED:
        title, tone = "已认证", "good"
        scope = ("在该院校的渠道发布职位" if employer.verifier_school_id else "在全省各院校和省级渠道发布职位")
        text = f"单位已通过{verifier_label(employer)}认证，可以{scope}、发起网签。"
        if not staff:
            text += f"已认证单位可自行修改{EDITABLE_WHEN_VERIFIED}；其他信息如需变更请联系审核单位。"
            actions.append(Action("edit", "修改联系方式等信息", "employer-profile"))
    elif status == EmployerStatus.REJECTED:
        title, tone = "已驳回", "bad"
        text = f"认证未通过。原因：{reason or '未说明'}。"
        if not staff:
            text += "请按原因修改单位信息（可重新上传营业执照）后重新提交审核。"
            actions.append(Action("resubmit", "修改并重新提交", "employer-profile"))
    elif status == EmployerStatus.SUSPENDED:
        title, tone = "已停用", "bad"
        text = f"单位账号已停用。原因：{reason or '未说明'}。停用期间职位不在搜索中显示，不能发布职位或发起网签。"
        if not staff:
            text += "如有异议请联系审核单位。"
    else:
        title, tone = "未注册", "info"
        text = "该单位尚未注册账号（由网签名片链接产生的单位信息）。"
    if actor is not None and staff:
        if status == EmployerStatus.PENDING and reviewer_refusal(actor, employer) is None:
            actions.append(Action("approve", "认证通过", "staff-employer-review", (employer.pk,), "post"))
            actions.append(Action("reject", "驳回", "staff-employer-review", (employer.pk,), "post"))
        if status == EmployerStatus.SUSPENDED:
            if suspender_refusal(actor, employer) is None:
                actions.append(Action("reinstate", "恢复账号", "staff-employer-reinstate", (employer.pk,), "post"))
        elif status != EmployerStatus.UNREGISTERED and suspender_refusal(actor, employer) is None:
            actions.append(Action("suspend", "停用账号", "staff-employer-suspend", (employer.pk,), "post"))
    return State(code=status, title=title, text=text, tone=tone, actions=tuple(actions))
