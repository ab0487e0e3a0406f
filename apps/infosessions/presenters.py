"""What a person reads about a 宣讲会: one presenter for every role's page, the notifications
and the API (`state`). Times come from slots.py, seats from the session's capacity (the room's,
copied when allocated), the lead days from the setting the service checks."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from apps.accounts.models import Role
from apps.core.states import Action, State
from apps.infosessions import services
from apps.infosessions.models import InfoSession, SessionStatus

# why a graduate will not attend a session that is not scheduled (the check-in panel says it too)
CALLED_OFF_TEXT = {
    SessionStatus.WITHDRAWN: "用人单位已撤回该宣讲会，不再举行。",
    SessionStatus.CANCELLED: "学校已取消该宣讲会，不再举行。",
    SessionStatus.REJECTED: "学校未能安排该宣讲会，不再举行。",
    SessionStatus.PENDING: "该宣讲会尚未安排场地。",
}


def seats_left(session: InfoSession) -> int:
    return session.seats_left


def _place(session: InfoSession) -> str:
    room = session.room.name if session.room_id else ""
    return f"{services.when_label(session)}，{room}" if room else services.when_label(session)


def session_state(session: InfoSession, *, viewer_role: str, now: datetime | None = None,
                  signed_up: bool | None = None, actor=None, checked_in: bool = False) -> State:
    """待安排 / 已安排 (room, time; seats left) / 已驳回 (reason) / 已撤回 / 已取消 (reason) /
    已结束. A graduate reads 可报名 / 名额已满 / 已报名 / 已签到 / 已开始 instead of 已安排, and
    已取消 for a session that will not take place. `signed_up` (graduates) picks 报名 or 取消报名
    (none after `checked_in`); `actor` (school staff) offers the decision only to staff of the
    session's school."""
    now = now or timezone.now()
    starts, ends = services.session_starts(session), services.session_ends(session)
    status = session.status
    graduate = viewer_role == Role.GRADUATE
    deciding = (viewer_role == Role.SCHOOL_STAFF and actor is not None and actor.school_id == session.school_id)
    if status == SessionStatus.PENDING:
        if viewer_role == Role.EMPLOYER:
            actions = ()
            if starts and starts > now:
                actions = (Action("withdraw", "撤回申请", "employer-session-withdraw", (session.pk,), "post"),)
            return State("pending", "待安排", f"申请已提交，学校将为{services.when_label(session)}安排场地或说明不能安排的原因，"
                         "结果会通知你。", "warn", actions)
        text = "请从空闲场地中选择一个安排，或填写原因驳回。" if deciding else "等待学校安排场地。"
        if starts and starts <= now:
            text = "申请的时间已过，未能安排。"
        return State("pending", "待安排", text, "warn")
    if status == SessionStatus.REJECTED:
        if graduate:
            return State("rejected", "已取消", CALLED_OFF_TEXT[status], "bad")
        return State("rejected", "已驳回", f"学校未能安排该宣讲会。原因：{session.reason}", "bad")
    if status == SessionStatus.WITHDRAWN:
        if graduate:
            return State("withdrawn", "已取消", CALLED_OFF_TEXT[status], "bad")
        return State("withdrawn", "已撤回", "用人单位已撤回该宣讲会。", "info")
    if status == SessionStatus.CANCELLED:
        return State("cancelled", "已取消", f"学校已取消该宣讲会。原因：{session.reason}", "bad")
    # scheduled
    if ends and ends <= now:
        if graduate:
            return State("ended", "已结束", f"宣讲会已于{services.when_label(session)}举行。"
                         + ("你已签到。" if checked_in else ""), "info")
        return State("ended", "已结束",
                     f"宣讲会已于{services.when_label(session)}举行：报名{session.signup_count}人，"
                     f"签到{session.checkin_count}人。", "info")
    left = seats_left(session)
    seats = f"剩余名额{left}个（共{session.capacity}个）" if left else f"名额已满（共{session.capacity}个）"
    started = bool(starts and starts <= now)
    if graduate:
        if checked_in:
            return State("scheduled", "已签到", f"你已签到：{_place(session)}。", "good")
        if signed_up:
            actions = () if started else (
                Action("cancel_signup", "取消报名", "session-signup", (session.pk,), "post"),)
            return State("scheduled", "已报名", f"你已报名：{_place(session)}。请准时参加，到场后扫码签到。", "good",
                         actions)
        if started:
            return State("scheduled", "已开始", f"宣讲会已开始（{_place(session)}），报名已结束。", "info")
        if left:
            return State("scheduled", "可报名", f"{_place(session)}。{seats}。", "good",
                         (Action("signup", "报名", "session-signup", (session.pk,), "post"),))
        return State("scheduled", "名额已满", f"{_place(session)}。{seats}。", "warn")
    if viewer_role == Role.EMPLOYER:
        actions = ()
        if not started:
            actions = (Action("withdraw", "撤回宣讲会", "employer-session-withdraw", (session.pk,), "post"),)
        return State("scheduled", "已安排", f"{_place(session)}，可容纳{session.capacity}人，"
                     f"已有{session.signup_count}人报名。", "good", actions)
    return State("scheduled", "已安排", f"{_place(session)}，已报名{session.signup_count}人，{seats}。", "good")


def request_lead_text() -> str:
    """The rule as the request form says it (the service checks the same numbers)."""
    return (f"请至少提前{services.min_lead_days()}天申请，最远可申请{services.MAX_LEAD_DAYS}天内的日期；"
            "学校安排场地后会通知你。")
