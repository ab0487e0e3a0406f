"""What a person reads about a report (举报): one presenter, used by the graduate's pages, the
staff pages, the notification and the API (`state`). Who may decide is asked of the service's
own guard (`report_decide_refusal`), the hotline and the warning come from reasons.py."""

from __future__ import annotations

from django.utils import timezone

from apps.accounts.models import Role
from apps.core.states import Action, State
from apps.reports import services
from apps.reports.models import FraudReport, ReportOutcome, ReportStatus
from apps.reports.reasons import HOTLINE

_OUTCOME_TEXT = {
    ReportOutcome.POSTING_TAKEN_DOWN: "经核实，该职位已下架，毕业生不会再搜索到它。",
    ReportOutcome.EMPLOYER_SUSPENDED: "经核实，该单位账号已停用，其职位已全部下线，且不能再发起网签邀约。",
    ReportOutcome.NO_FRAUD: "经核实，暂未发现该单位或职位存在欺诈行为。",
}


def _minute(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def report_state(report: FraudReport, *, viewer_role: str, actor=None) -> State:
    """The report as its reporter (graduate) or staff see it. `actor` (staff) decides whether
    the 处理 action is offered: the service's own guard answers."""
    if report.status == ReportStatus.OPEN:
        if viewer_role == Role.GRADUATE:
            return State("open", "待处理",
                         "举报已提交，学校和省教育厅将核实处理，处理结果会通知你。"
                         f"情况紧急的，可直接拨打省教育厅举报电话（{HOTLINE}）。", "warn")
        actions = ()
        if actor is not None and services.report_decide_refusal(actor, report) is None:
            actions = (Action("decide", "处理举报", "staff-report-detail", (report.pk,)),)
        return State("open", "待处理",
                     "请核实举报内容：可下架被举报的职位、停用单位账号，并填写处理说明（举报人可见）。", "warn", actions)
    outcome = ReportOutcome(report.outcome) if report.outcome in ReportOutcome.values else None
    title = outcome.label if outcome else ReportStatus.CLOSED.label
    text = _OUTCOME_TEXT.get(outcome, "")
    if report.outcome_note:
        text = f"{text}处理说明：{report.outcome_note}"
    if report.handled_at:
        text = f"{text}（处理时间：{_minute(report.handled_at)}）"
    tone = "info" if outcome == ReportOutcome.NO_FRAUD else "good"
    return State(report.outcome or "closed", title, text, tone)
