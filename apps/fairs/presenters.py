"""What a person reads about a fair and a booth application: one presenter per workflow, used
by the staff, employer and graduate pages, the notifications and the API (`state`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from apps.accounts.models import Role
from apps.core.states import Action, State
from apps.fairs import checkin
from apps.fairs.models import BoothStatus, FairBooth, FairStatus, JobFair

B = BoothStatus


def _minute(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def remaining_booths(fair: JobFair) -> int:
    return max(fair.booth_count - fair.approved_booths, 0)


def fair_state(fair: JobFair, *, now: datetime | None = None) -> State:
    """报名中 / 报名已截止 / 进行中 / 已结束 / 已取消, with the booths still free."""
    now = now or timezone.now()
    left = remaining_booths(fair)
    if fair.status == FairStatus.CANCELLED:
        text = "该招聘会已取消。" + (f"原因：{fair.cancel_reason}" if fair.cancel_reason else "")
        return State("cancelled", "已取消", text, "bad")
    if fair.ends_at <= now:
        return State("ended", "已结束", f"招聘会已于{_minute(fair.ends_at)}结束。", "info")
    if fair.starts_at <= now:
        return State("running", "进行中", f"招聘会正在{fair.venue}举办，{_minute(fair.ends_at)}结束。", "good")
    if fair.apply_deadline <= now:
        return State("closed", "报名已截止",
                     f"单位报名已于{_minute(fair.apply_deadline)}截止，招聘会将于{_minute(fair.starts_at)}开始"
                     f"（共{fair.booth_count}个展位，已通过{fair.approved_booths}个）。", "info")
    booths = f"剩余{left}个展位（共{fair.booth_count}个）" if left else f"{fair.booth_count}个展位已满，新的申请将进入候补"
    return State("open", "报名中", f"单位报名截止时间{_minute(fair.apply_deadline)}，{booths}。", "good")


def graduate_fair_state(fair: JobFair, *, registered: bool, checked_in: bool = False, may_register: bool = True,
                        now: datetime | None = None) -> State:
    """The fair as a graduate reads it: 即将开始 / 签到进行中 / 进行中 / 已结束 / 已取消, whether they
    registered or checked in, and 我要参加 / 取消报名 while the fair is ahead or running and they
    have not checked in. No booth counts or employer deadline (those are the employers' facts)."""
    now = now or timezone.now()
    if fair.status == FairStatus.CANCELLED:
        text = "该招聘会已取消，不再举办" + (f"。原因：{fair.cancel_reason}" if fair.cancel_reason else "。")
        return State("cancelled", "已取消", text, "bad")
    if fair.ends_at <= now:
        text = f"招聘会已于{_minute(fair.ends_at)}结束。" + ("你已签到。" if checked_in else "")
        return State("ended", "已结束", text, "info")
    actions: tuple[Action, ...] = ()
    if may_register and not checked_in:
        actions = ((Action("cancel_registration", "取消报名", "fair-interest", (fair.pk,), "post"),) if registered
                   else (Action("register", "我要参加", "fair-interest", (fair.pk,), "post"),))
    mine = "你已签到。" if checked_in else ("你已报名。" if registered else "")
    if fair.starts_at <= now:
        return State("running", "进行中",
                     f"招聘会正在{fair.venue}举办，{_minute(fair.ends_at)}结束；到场后扫码签到。{mine}", "good", actions)
    if checkin.window_phase(fair, at=now) == "open":
        return State("checkin_open", "签到进行中",
                     f"招聘会将于{_minute(fair.starts_at)}在{fair.venue}开始，现在已可以签到。{mine}", "good", actions)
    if registered and not checked_in:
        mine = "你已报名，招聘会前一天会提醒你。"
    return State("upcoming", "即将开始", f"招聘会将于{_minute(fair.starts_at)}在{fair.venue}举办。{mine}", "good", actions)


@dataclass(frozen=True)
class GraduateFairView:
    """One fair as its graduate page and the graduate API show it."""

    state: State
    registered: bool
    checked_in: bool


def graduate_fair_view(graduate, fair: JobFair) -> GraduateFairView:
    """Reads the graduate's registration and check-in (one statement each) and whether they may
    still register, then `graduate_fair_state`."""
    from apps.fairs.rules import attendance_refusal
    from apps.fairs.selectors import is_interested
    from apps.fairs.selectors_checkin import checked_in_fair_ids
    from apps.fairs.services import fair_stage_refusal

    registered = is_interested(graduate, fair)
    checked_in = bool(checked_in_fair_ids(graduate, [fair.pk]))
    may_register = not (fair_stage_refusal(fair) or attendance_refusal(fair, graduate))
    state = graduate_fair_state(fair, registered=registered, checked_in=checked_in, may_register=may_register)
    return GraduateFairView(state, registered, checked_in)


def booth_state(booth: FairBooth, *, viewer_role: str, position: int | None = None,
                fair: JobFair | None = None) -> State:
    """待审核, 已通过（展位号）, 候补中（第N位）, 已驳回（原因）, 已撤回, 已取消参会. `position`
    is the waiting-list place when the caller knows it (lists); else it is read here."""
    fair = fair or booth.fair
    employer = viewer_role == Role.EMPLOYER
    open_fair = fair.status == FairStatus.PUBLISHED and fair.starts_at > timezone.now()
    actions: tuple[Action, ...] = ()
    if employer and open_fair and booth.status in (B.PENDING, B.APPROVED, B.WAITING):
        actions = (Action("withdraw", "撤回申请", "employer-fair-booth-withdraw", (booth.pk,), "post"),)
    elif viewer_role == Role.SCHOOL_STAFF and fair.status == FairStatus.PUBLISHED and fair.ends_at > timezone.now():
        decide = ("staff-fair-booth-decide", (fair.pk, booth.pk))
        if booth.status == B.PENDING:
            # booth_decide puts the application on the waiting list when no booth is free: say so
            approve = "通过" if remaining_booths(fair) else "通过（进入候补）"
            actions = (Action("approve", approve, *decide, "post"), Action("reject", "驳回", *decide, "post"))
        elif booth.status == B.WAITING:
            actions = (Action("reject", "驳回", *decide, "post"),)
        elif booth.status == B.APPROVED:
            actions = (Action("remove", "取消参会", *decide, "post"),)
    if booth.status == B.PENDING:
        text = "展位申请已提交，等待学校审核。" if employer else (
            "请审核：展位未满时通过即分配展位，已满时进入候补名单。" if remaining_booths(fair)
            else f"请审核：{fair.booth_count}个展位已满，通过后进入候补名单，有展位空出时按顺序自动转正。")
        return State("pending", "待审核", text, "warn", actions)
    if booth.status == B.APPROVED:
        return State("approved", f"已通过（展位号{booth.booth_number}）",
                     f"展位号{booth.booth_number}，招聘会于{_minute(fair.starts_at)}在{fair.venue}举办。", "good", actions)
    if booth.status == B.WAITING:
        if position is None:
            from apps.fairs.selectors import waiting_position

            position = waiting_position(booth)
        text = (f"展位已满，你单位在候补名单第{position}位；有展位空出时按顺序自动转正并通知你。" if employer
                else f"候补名单第{position}位，有展位空出时自动转正。")
        return State("waiting", f"候补中（第{position}位）", text, "warn", actions)
    if booth.status == B.REJECTED:
        return State("rejected", "已驳回", f"原因：{booth.reason}" if booth.reason else "展位申请未通过。", "bad")
    if booth.status == B.WITHDRAWN:
        return State("withdrawn", "已撤回", "展位申请已由单位撤回。", "info")
    return State("removed", "已取消参会", f"学校已取消该单位参会。原因：{booth.reason}", "bad")
