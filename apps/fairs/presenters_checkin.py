"""What a person reads about 签到 at a fair or a 宣讲会: one presenter for the graduate's result
page, the graduate's fair / 宣讲会 page, the staff screen and the API (`state`). Numbers and
times come from apps/fairs/checkin.py, the module the services check with."""

from __future__ import annotations

from django.utils import timezone

from apps.accounts.models import Role
from apps.core.states import Action, State
from apps.fairs import checkin
from apps.fairs.models import FairStatus

# what a check-in door answered (services_checkin.CheckInResult.outcome)
CREATED = "created"
ALREADY = "already"


def _hm(value) -> str:
    return f"{timezone.localtime(value):%H:%M}"


def _what(event) -> str:
    return "宣讲会" if checkin.is_session(event) else "招聘会"


def _called_off(event) -> str:
    """Why there is no check-in at all: the fair was cancelled or the 宣讲会 is not (or no longer)
    scheduled ('' otherwise). Pages leave the check-in section out for these."""
    if checkin.is_session(event):
        from apps.infosessions.models import SessionStatus
        from apps.infosessions.presenters import CALLED_OFF_TEXT

        if event.status == SessionStatus.SCHEDULED:
            return ""
        return CALLED_OFF_TEXT.get(event.status, "该宣讲会未安排，无需签到。")
    if event.status == FairStatus.CANCELLED:
        return "该招聘会已取消，无需签到。"
    return ""


def checkin_state(event, *, viewer_role: str, checkin_row=None, outcome: str = "", now=None) -> State:
    """The check-in as `viewer_role` sees it. For a graduate: `checkin_row` is their FairCheckIn /
    SessionCheckIn (None if not checked in), `outcome` what a door just answered. For staff:
    whether the screen is live."""
    now = now or timezone.now()
    what = _what(event)
    called_off = _called_off(event)
    if called_off and outcome not in (CREATED, ALREADY):
        actions = ()
        if viewer_role != Role.GRADUATE:  # earlier check-ins stay readable
            name = "staff-session-attendance" if checkin.is_session(event) else "staff-fair-attendance"
            actions = (Action("attendance", "签到情况", name, (event.pk,)),)
        return State("cancelled", "已取消", called_off, "bad", actions)
    if viewer_role == Role.GRADUATE and checkin_row is not None:
        method = checkin_row.get_method_display()
        if outcome == CREATED:
            text = f"你已于{_hm(checkin_row.checked_in_at)}签到（{method}）。"
            if not checkin.is_session(event):
                text += "逛展位时可登记到访，并选择是否同意单位查看你的简历。"
            return State("checked_in", "签到成功", text, "good")
        if outcome == ALREADY:
            return State("already", "已签到过",
                         f"你此前已于{_hm(checkin_row.checked_in_at)}签到（{method}），本次不重复计数。", "info")
        return State("checked_in", "已签到", f"你已于{_hm(checkin_row.checked_in_at)}签到（{method}）。", "good")

    refusal = checkin.window_refusal(event, at=now)
    phase = checkin.window_phase(event, at=now)
    if viewer_role == Role.GRADUATE:
        if phase == "open":
            return State("open", "签到进行中",
                         f"到场后请用手机扫描现场屏幕上的二维码签到，或向工作人员出示你的二维码名片。"
                         f"{checkin.rotation_text()}。", "info")
        return State("not_open" if phase == "before" else "closed",
                     "未开始签到" if phase == "before" else "签到已结束", refusal, "info")
    actions = ()
    if viewer_role == Role.SCHOOL_STAFF:
        if checkin.is_session(event):
            actions = (Action("screen", "签到屏幕", "staff-session-checkin-screen", (event.pk,)),
                       Action("attendance", "签到情况", "staff-session-attendance", (event.pk,)))
        else:
            actions = (Action("screen", "签到屏幕", "staff-fair-checkin-screen", (event.pk,)),
                       Action("attendance", "签到情况", "staff-fair-attendance", (event.pk,)))
    if phase == "open":
        return State("open", "签到进行中",
                     f"请在现场屏幕打开签到二维码，毕业生用手机扫码签到；{checkin.rotation_text()}。"
                     f"也可以扫描或输入毕业生的二维码名片为其签到。", "good", actions)
    if phase == "before":
        return State("not_open", "未开始签到", f"本场{what}{refusal}。", "info", actions)
    return State("closed", "签到已结束", f"本场{what}已结束，签到已关闭。", "info", actions)
