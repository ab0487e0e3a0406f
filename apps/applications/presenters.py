"""What a person reads about an application (投递): one presenter for the graduate's pages,
the employer's pages and the API (`state`). Its texts name the interview time and place; the
actions are the ones the services allow (apps.applications.services.TRANSITIONS / WITHDRAWABLE)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from apps.accounts.models import Role
from apps.applications import services
from apps.applications.models import Application, ApplicationStatus
from apps.core.states import Action, State

S = ApplicationStatus
TONES = {S.SUBMITTED: "info", S.VIEWED: "info", S.INTERVIEW: "warn", S.HIRED: "good", S.UNSUITABLE: "bad",
         S.WITHDRAWN: ""}
# the employer's buttons: target status → label
ADVANCE_LABELS = {S.VIEWED: "标记为已查看", S.INTERVIEW: "邀请面试", S.HIRED: "录用", S.UNSUITABLE: "不合适"}


def minute(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y年%m月%d日 %H:%M}" if value else ""


def interview_text(application: Application) -> str:
    return f"面试时间：{minute(application.interview_at)}；面试地点：{application.interview_place}"


def _note(application: Application) -> str:
    return f" 单位留言：{application.employer_note}" if application.employer_note else ""


def application_state(application: Application, *, viewer_role: str, now: datetime | None = None) -> State:
    """The application's state for the graduate (viewer_role=graduate) or the employer."""
    status = application.status
    title = S(status).label
    tone = TONES.get(status, "info")
    posting_title = application.posting.title
    if viewer_role == Role.EMPLOYER:
        return _employer_state(application, title, tone, now=now)
    actions: list[Action] = []
    if status in services.WITHDRAWABLE:
        actions.append(Action("withdraw", "撤回投递", "application-withdraw", (application.pk,), "post"))
    if status == S.SUBMITTED:
        text = f"简历已于{minute(application.created_at)}投递给{application.employer.name}，等待单位查看。"
    elif status == S.VIEWED:
        text = f"{application.employer.name}已查看你的简历，请留意后续通知。"
    elif status == S.INTERVIEW:
        passed = application.interview_at is not None and application.interview_at <= (now or timezone.now())
        text = (f"{application.employer.name}邀请你参加“{posting_title}”的面试。{interview_text(application)}。"
                + ("面试时间已过，请等待单位的结果。" if passed else "请按时参加。"))
    elif status == S.HIRED:
        text = (f"恭喜，{application.employer.name}已录用你。单位将通过网上签约向你发出签约邀约，"
                "请在【登记】→【网签邀约通知】中查看并确认。")
        actions.append(Action("invitations", "查看网签邀约", "signing-invitations"))
    elif status == S.UNSUITABLE:
        text = f"{application.employer.name}认为你暂不适合该职位，感谢你的投递。"
    else:
        text = "你已撤回该投递，撤回后不能再次投递该职位。"
    return State(status, title, text + _note(application), tone, tuple(actions))


def _employer_state(application: Application, title: str, tone: str, *, now=None) -> State:
    status = application.status
    actions = [Action(target, ADVANCE_LABELS[target] if not (target == S.INTERVIEW and status == S.INTERVIEW)
                      else "修改面试安排", "employer-application-advance", (application.pk,), "post")
               for target in services.TRANSITIONS.get(status, ())]
    name = application.graduate.name
    if status == S.SUBMITTED:
        text = f"{name}于{minute(application.created_at)}投递，尚未查看。"
    elif status == S.VIEWED:
        text = f"已查看{name}的简历。可邀请面试、直接录用或标记为不合适。"
    elif status == S.INTERVIEW:
        text = f"已邀请{name}面试。{interview_text(application)}。"
    elif status == S.HIRED:
        text = f"已录用{name}。请发起网签邀约，毕业生在网签中确认后协议生效。"
        actions.append(Action("sign", "发起网签", "employer-application-sign", (application.pk,), "post"))
    elif status == S.UNSUITABLE:
        text = f"已将{name}标记为不合适，毕业生已收到通知。"
    else:
        text = f"{name}已撤回该投递。"
    return State(status, title, text + (f" 备注：{application.employer_note}" if application.employer_note else ""),
                 tone, tuple(actions))
