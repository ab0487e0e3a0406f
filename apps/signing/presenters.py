"""What a person reads about online signing (网络签约, C5): one presenter per workflow.

- 网签邀约: `invitation_state(invitation, viewer_role=…)`
- 网签协议: `agreement_state(agreement, viewer_role=…)` (its review part: `agreement_review`)
- 网络解约: `termination_state(graduate or termination, viewer_role=…)` and `termination_guide()`

Each returns the state's title, explanation, tone and what this person may do next. The
graduate's, the employer's (account or follow link), the staff and the print pages and the
API all take their state texts from here, so two pages cannot contradict each other. Every
number (card minutes, confirmation seconds, termination dates and limits, review levels) is
read from the constants, settings and school policy the rules in services.py use."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from apps.accounts.models import Role
from apps.core.states import Action, State
from apps.destinations.models import Destination, DestinationStatus
from apps.graduates.models import Graduate
from apps.organisations.policy import policy_for
from apps.signing import services
from apps.signing.models import (
    Agreement,
    AgreementStatus,
    Invitation,
    InvitationStatus,
    Termination,
    TerminationStatus,
)

STAFF_ROLES = (Role.COLLEGE_STAFF, Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


def _day(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y年%m月%d日}" if value else ""


def _minute(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _final_level() -> services.TerminationLevel:
    return services.TERMINATION_LEVELS[-1]


def _level_for(status: str) -> services.TerminationLevel | None:
    """The level a pending termination waits for."""
    return next((x for x in services.TERMINATION_LEVELS if x.acts_on == status), None)


# --- numbers every page states -----------------------------------------------------------------

def card_validity_text() -> str:
    return f"二维码名片有效期为{services.card_minutes()}分钟，过期后需毕业生重新出示二维码"


def confirm_window_text() -> str:
    s = services.CONFIRM_WINDOW_SECONDS
    return f"接受后有{s}秒时间核对条款并输入签约密码确认"


def confirm_expired_text() -> str:
    s = services.CONFIRM_WINDOW_SECONDS
    return f"确认已超过{s}秒，请返回重新点击“接受”后在{s}秒内确认"


def print_requirement_text() -> str:
    """The rule of print_session_claim: which review an agreement needs before printing."""
    return f"只有{services.REVIEW_LEVEL_NAMES[services.PRINT_REQUIRED_STATUS]}通过的网签协议才能自助打印协议书"


# --- 网签邀约 ----------------------------------------------------------------------------------------

def _withdraw_action(invitation: Invitation, follow_token: str) -> Action:
    if follow_token:
        return Action("withdraw", "撤回邀约", "sign-follow-withdraw", (follow_token,), "post")
    return Action("withdraw", "撤回邀约", "employer-invitation-withdraw", (invitation.pk,), "post")


def invitation_state(invitation: Invitation, *, viewer_role: str, follow_token: str = "",
                     has_other_agreement: bool = False, now: datetime | None = None) -> State:
    """An invitation as the graduate or the employer (account, or follow link with
    `follow_token`) reads it. An accepted invitation follows its agreement: one later
    terminated no longer reads 已接受."""
    now = now or timezone.now()
    graduate = viewer_role == Role.GRADUATE
    status = invitation.status
    if status == InvitationStatus.OPEN and invitation.expires_at <= now:
        status = InvitationStatus.EXPIRED  # the sweep may not have run yet
    unit = invitation.unit_name
    if status == InvitationStatus.OPEN:
        if graduate and has_other_agreement:
            return State("open_blocked", "待确认", "您已与一家单位签约，不能再接受其他邀约；如需变更请先办理网络解约。", "warn")
        if graduate:
            return State("open", "待确认",
                         f"{unit}邀请您签约，请在{_minute(invitation.expires_at)}前处理。{confirm_window_text()}；"
                         "您只能与一家单位签约，签约后其他邀约自动失效。", "warn",
                         (Action("accept", "接受", "signing-invitation-accept", (invitation.pk,), "post"),
                          Action("decline", "拒绝", "signing-invitation-decline", (invitation.pk,), "post")))
        return State("open", "待确认",
                     f"邀约已发送，等待毕业生确认（有效期至{_minute(invitation.expires_at)}）。毕业生接受前贵单位可以撤回邀约。",
                     "warn", (_withdraw_action(invitation, follow_token),))
    if status == InvitationStatus.EXPIRED:
        text = (f"邀约已于{_minute(invitation.expires_at)}过期，不能再接受。" if graduate else
                f"邀约已于{_minute(invitation.expires_at)}过期，毕业生未处理。如仍需签约，请重新发起网签。")
        return State("expired", "已过期", text, "bad")
    if status == InvitationStatus.WITHDRAWN:
        return State("withdrawn", "已撤回", f"{unit}已撤回该邀约。" if graduate else "贵单位已撤回该邀约。", "bad")
    if status == InvitationStatus.DECLINED:
        reason = f"（原因：{invitation.decline_reason}）" if invitation.decline_reason else ""
        return State("declined", "已拒绝", f"您已拒绝该邀约{reason}。" if graduate else f"毕业生已拒绝该邀约{reason}。",
                     "bad")
    if status == InvitationStatus.SUPERSEDED:
        text = ("您已与其他单位签约，该邀约已失效，仅可查看。" if graduate else
                "毕业生已与其他单位签约，贵单位的邀约已失效。")
        return State("superseded", "已失效", text, "bad")
    # accepted: the agreement decides what it reads
    agreement = Agreement.objects.filter(invitation_id=invitation.pk).first()
    if agreement is None:  # not reachable through the services; say only what is stored
        return State("accepted", invitation.get_status_display(), "", "good")
    if agreement.status == AgreementStatus.TERMINATED:
        who = "您" if graduate else "毕业生"
        return State("agreement_terminated", "协议已解除",
                     f"{who}曾接受该邀约并签约（协议编号{agreement.number}），该协议已于{_day(agreement.terminated_at)}"
                     f"经{_final_level().name}通过解约，协议已解除。", "bad")
    text = (f"您已接受该邀约并确认签约（协议编号{agreement.number}），协议已生效。" if graduate else
            f"毕业生已接受邀约并确认签约（协议编号{agreement.number}），协议已生效。")
    actions = (Action("agreement", "查看网签协议", "signing-agreement"),) if graduate else ()
    return State("accepted", "已接受", text, "good", actions)


# --- 网签协议 ------------------------------------------------------------------------------------

def _destination(agreement: Agreement) -> Destination | None:
    graduate = agreement.graduate
    try:
        return graduate.destination  # selected with the row by the staff lists
    except Destination.DoesNotExist:
        return None


def agreement_review(agreement: Agreement, *, viewer_role: str = Role.GRADUATE) -> State:
    """The review of the agreement's registration (院系初审 → 学校终审); it never dissolves
    the agreement. Title: the short 审核状态 every page shows."""
    if agreement.status == AgreementStatus.TERMINATED:
        return State("terminated", "已解约",
                     f"协议已于{_day(agreement.terminated_at)}经{_final_level().name}通过解约，协议已解除。", "bad")
    destination = _destination(agreement)
    status = getattr(destination, "status", "")
    approved_name = services.REVIEW_LEVEL_NAMES[services.PRINT_REQUIRED_STATUS]
    college_name = services.REVIEW_LEVEL_NAMES[DestinationStatus.COLLEGE_APPROVED]
    if status == services.PRINT_REQUIRED_STATUS:
        text = f"{approved_name}已通过，协议有效。"
        actions: tuple[Action, ...] = ()
        if viewer_role == Role.GRADUATE:
            text += "可以自助打印协议书：在电脑上打开打印页面，在本平台输入或扫描页面上的打印码。"
            actions = (Action("print", "自助打印协议书", "signing-print"),)
        return State("approved", "学校审核通过", text, "good", actions)
    if status == DestinationStatus.RETURNED:
        reason = f"退回原因：{destination.return_reason}。" if getattr(destination, "return_reason", "") else ""
        if viewer_role == Role.GRADUATE:
            text = f"{reason}网签信息由用人单位更正，您无需修改；更正后重新进入{college_name}。协议仍然有效。"
        elif viewer_role == Role.EMPLOYER:
            text = f"{reason}请贵单位更正单位信息，更正后重新进入{college_name}。审核只针对数据的规范性，协议仍然有效。"
        else:
            text = f"{reason}待用人单位更正单位信息，更正后重新进入{college_name}。协议仍然有效。"
        return State("returned", "学校审核退回，待用人单位更正信息（协议仍然有效）", text, "bad")
    if status == DestinationStatus.COLLEGE_APPROVED:
        return State("awaiting_school", "院系初审通过，待学校审核",
                     f"{college_name}已通过，待{approved_name}。协议已生效，审核只针对数据的规范性。", "warn")
    return State("awaiting_college", "签约成功，待学校审核",
                 f"协议已生效。签约信息待{college_name}，再经{approved_name}；审核只针对数据的规范性，不影响协议效力。",
                 "warn")


def _latest_termination(agreement: Agreement):
    """The agreement's latest termination; from ``prefetch_related("terminations")`` when a list
    fetched them with its page (one query per page, not per row)."""
    prefetched = getattr(agreement, "_prefetched_objects_cache", {}).get("terminations")
    if prefetched is not None:
        return max(prefetched, key=lambda t: (t.submitted_at, t.pk), default=None)
    return agreement.terminations.order_by("-submitted_at", "-id").first()


def agreement_state(agreement: Agreement, *, viewer_role: str) -> State:
    """The agreement as a whole: a pending or refused termination comes first (the agreement
    stays in force until the last review level approves), else its review."""
    review = agreement_review(agreement, viewer_role=viewer_role)
    if agreement.status == AgreementStatus.TERMINATED:
        return review
    latest = _latest_termination(agreement)
    final = _final_level()
    if latest is not None and latest.status in services.TERMINATION_PENDING:
        level = _level_for(latest.status)
        who = "您" if viewer_role == Role.GRADUATE else "毕业生"
        return State("termination_pending", f"解约审核中（待{level.name}）",
                     f"{who}已申请解除本协议，待{level.name}；{final.name}通过前协议仍然有效。审核状态：{review.title}。",
                     "warn", review.actions)
    if latest is not None and latest.status == TerminationStatus.REJECTED:
        by = final.name if latest.school_reviewed_at else services.TERMINATION_LEVELS[0].name
        return State("termination_rejected", "解约申请未通过，协议继续有效",
                     f"{by}未通过解约申请（原因：{latest.reject_reason}），协议继续有效。审核状态：{review.title}。",
                     "good", review.actions)
    return review


# --- 网络解约 ------------------------------------------------------------------------------------

def termination_levels_note() -> str:
    """The review levels of termination_review, in order, and which one ends the agreement."""
    levels = "，".join(x.name for x in services.TERMINATION_LEVELS)
    return f"{levels}，{_final_level().name}通过后协议解除，方可重新签约。"


def termination_guide() -> tuple[str, tuple[str, ...]]:
    """The scope note and the 变更申请流程 steps, with the review levels of termination_review."""
    final = _final_level().name
    intro = ("此功能仅限于通过网络签约的毕业生。请上传由用人单位出具的解约材料，阐明双方都同意解除协议关系，材料需加盖"
             f"用人单位公章或人力资源章。提交申请后，{termination_levels_note()}")
    steps = (
        "变更前请与原签约单位沟通协商好解约事宜，避免产生纠纷。",
        "请原单位出具书面解约证明材料（加盖公章）。",
        "毕业生上传解约证明材料。",
        f"请联系学院就业工作负责人进行审核（{'，再'.join(x.name for x in services.TERMINATION_LEVELS)}）。",
        f"{final}通过后，协议解除，毕业生即可与新单位签约。",
    )
    return intro, steps


def _blocker(graduate: Graduate, used: int, now: datetime) -> str:
    """The same checks as services._termination_allowed, worded for the page ('' = may apply)."""
    policy = policy_for(graduate.school, graduate.cohort)
    if timezone.localdate(now) < policy.termination_opens_on:
        return f"学校设置的解约日期（{policy.termination_opens_on:%Y年%m月%d日}）之前不能解约。"
    if used >= policy.max_terminations:
        return f"已达到最大解约次数（{policy.max_terminations}次），不能再解约。"
    return ""


def _graduate_termination_state(graduate: Graduate, now: datetime) -> State:
    agreement = services.agreement_in_force(graduate.pk)
    used = Termination.objects.filter(graduate=graduate, status=TerminationStatus.APPROVED).count()
    final = _final_level()
    if agreement is None:
        ended = (Termination.objects.filter(graduate=graduate, status=TerminationStatus.APPROVED)
                 .select_related("agreement", "agreement__invitation").order_by("-school_reviewed_at", "-id").first())
        if ended is None:
            return State("not_online", "没有网签协议",
                         "您没有生效的网签协议。网络解约仅限于通过网络签约的毕业生；其他方式签订的协议请联系学院就业工作负责人办理。",
                         "info")
        return State("approved", "已解约",
                     f"与{ended.agreement.invitation.unit_name}的协议已于{_day(ended.agreement.terminated_at)}经{final.name}"
                     "通过解除，毕业去向已恢复为待就业，您可以与新单位签约。", "good",
                     (Action("card", "出示二维码名片", "signing-card"),))
    unit = agreement.invitation.unit_name
    latest = agreement.terminations.order_by("-submitted_at", "-id").first()
    if latest is not None and latest.status in services.TERMINATION_PENDING:
        level = _level_for(latest.status)
        return State(latest.status, TerminationStatus(latest.status).label,
                     f"您已申请解除与{unit}的协议，待{level.name}。{final.name}通过后协议解除；此前协议仍然有效。", "warn")
    blocked = _blocker(graduate, used, now)
    apply = () if blocked else (Action("apply", "提交解约申请", "signing-termination"),)
    tail = blocked or "如需解约，请提交解约申请。"
    if latest is not None and latest.status == TerminationStatus.REJECTED:
        by = final.name if latest.school_reviewed_at else services.TERMINATION_LEVELS[0].name
        return State("rejected", "解约申请未通过，协议继续有效",
                     f"{by}未通过您的解约申请（原因：{latest.reject_reason}），与{unit}的协议继续有效。{tail}", "bad", apply)
    earlier = (Agreement.objects.filter(graduate=graduate, status=AgreementStatus.TERMINATED)
               .select_related("invitation").order_by("-terminated_at").first())
    if earlier is not None:
        return State("resigned", "协议有效",
                     f"与{earlier.invitation.unit_name}的协议已解除；您现已与{unit}签约（协议编号{agreement.number}），"
                     f"当前协议有效。{tail}", "good", apply)
    return State("in_force", "协议有效", f"您与{unit}的协议有效（协议编号{agreement.number}）。{tail}", "good", apply)


def _staff_termination_state(termination: Termination, viewer_role: str) -> State:
    final = _final_level()
    status = termination.status
    label = termination.get_status_display()
    if status in services.TERMINATION_PENDING:
        level = _level_for(status)
        if viewer_role == level.role:
            text = f"请您进行{level.name}。"
            if level is final:
                text += "终审通过后协议解除，毕业去向恢复为待就业，毕业生可以重新签约。"
            else:
                text += f"通过后由{final.name}；{final.name}通过前协议仍然有效。"
            actions = (Action("review", level.name, "staff-termination-review", (termination.pk,), "post"),)
            return State(status, label, text, "warn", actions)
        return State(status, label, f"待{level.name}；{final.name}通过前协议仍然有效。", "warn")
    if status == TerminationStatus.APPROVED:
        text = f"{final.name}通过，协议已于{_day(termination.agreement.terminated_at)}解除。"
        now_in_force = services.agreement_in_force(termination.graduate_id)
        if now_in_force is not None:  # signed again since: the reset to 待就业 is history
            text += f"毕业生已重新签约（协议编号{now_in_force.number}，{now_in_force.invitation.unit_name}）。"
        else:
            text += "毕业去向已恢复为待就业，毕业生可以重新签约。"
        return State("approved", label, text, "good")
    if status == TerminationStatus.REJECTED:
        by = final.name if termination.school_reviewed_at else services.TERMINATION_LEVELS[0].name
        return State("rejected", label, f"{by}未通过（原因：{termination.reject_reason}），协议继续有效。", "bad")
    return State(status, label, "毕业生已撤回解约申请，协议继续有效。", "info")


def termination_state(subject: Graduate | Termination, *, viewer_role: str, now: datetime | None = None) -> State:
    """The graduate's 网络解约 page (subject: the graduate) or one application as a reviewer
    reads it (subject: the termination)."""
    if isinstance(subject, Termination):
        if viewer_role == Role.GRADUATE:
            return _graduate_item_state(subject)
        return _staff_termination_state(subject, viewer_role)
    return _graduate_termination_state(subject, now or timezone.now())


def _graduate_item_state(termination: Termination) -> State:
    """One line of the graduate's own 解约记录 (API items)."""
    state = _staff_termination_state(termination, Role.GRADUATE)
    return State(state.code, state.title, state.text, state.tone)
