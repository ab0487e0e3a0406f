"""What a person reads about a posting's review workflow (职位发布与审核): one presenter.

`posting_state(posting, viewer_role=…, viewer=…)` returns the state's title, text, tone and the
next actions for this viewer. The employer's pages, the staff queue and detail pages and the API
(`state`) all read it, so no two pages disagree. Who may review is asked of the service's own
guard (`review_refusal`); the numbers come from the service's constants."""

from __future__ import annotations

from django.utils import timezone

from apps.accounts.models import Role
from apps.core.states import Action, State
from apps.jobs import services_postings as services
from apps.jobs.models import ClosedReason, Posting, PostingStatus
from apps.jobs.salary import salary_text

S = PostingStatus
EMPLOYER = "employer"
STAFF = "staff"
MATERIAL_NOTE = "修改职位名称、类别、描述、薪资、学历、专业、地点、截止日期或渠道后需重新审核；只改联系人或招聘人数无需重新审核。"


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value:%Y年%m月%d日}"


def reviewer_text(posting: Posting) -> str:
    """Who reviews this posting: the channel school, or the province."""
    if posting.channel_school_id is None:
        return "省级就业主管部门"
    return posting.channel_school.name


def channel_text(posting: Posting) -> str:
    if posting.channel_school_id is None:
        return "全省渠道"
    return f"{posting.channel_school.name}渠道"


def posting_state(posting: Posting, *, viewer_role: str = EMPLOYER, viewer=None) -> State:
    """viewer_role: "employer" (the posting's own employer) or "staff" (pass `viewer`, the
    staff user, to offer review and take-down when they may)."""
    pk = (posting.pk,)
    employer_actions: list[Action] = []
    staff_actions: list[Action] = []
    status = posting.status
    if viewer_role == EMPLOYER and status != S.CLOSED:
        employer_actions.append(Action("edit", "修改职位", "employer-posting-edit", pk))
        if status in (S.DRAFT, S.REJECTED):
            employer_actions.append(Action("submit", "提交审核", "employer-posting-submit", pk, "post"))
        employer_actions.append(Action("close", "下线职位", "employer-posting-close", pk, "post"))
    if viewer_role == STAFF and viewer is not None and status != S.CLOSED:
        if status == S.PENDING and services.review_refusal(viewer, posting) is None:
            staff_actions.append(Action("review", "审核", "staff-posting-review", pk, "post"))
        if viewer.role in services.STAFF_ROLES:
            staff_actions.append(Action("take_down", "下架", "staff-posting-take-down", pk, "post"))
    actions = tuple(employer_actions if viewer_role == EMPLOYER else staff_actions)
    reviewer = reviewer_text(posting)

    if status == S.DRAFT:
        text = f"职位尚未提交审核，毕业生看不到。提交后由{reviewer}审核，通过后发布。"
        return State("draft", "草稿", text, "info", actions)
    if status == S.PENDING:
        when = f"于{_day(posting.submitted_at)}提交，" if posting.submitted_at else ""
        if viewer_role == STAFF:
            may = any(a.code == "review" for a in actions)
            text = f"{when}等待{reviewer}审核。" + ("请核对职位信息后通过或驳回（驳回须填写原因）。" if may else "")
        else:
            text = f"{when}等待{reviewer}审核；审核通过后毕业生才能看到。"
        return State("pending", "待审核", text, "warn", actions)
    if status == S.PUBLISHED:
        if posting.deadline < timezone.localdate():
            text = f"截止日期{_day(posting.deadline)}已过，毕业生已搜索不到，系统将自动下线。"
        else:
            text = (f"于{_day(posting.published_at)}发布，截止日期{_day(posting.deadline)}，毕业生可搜索和投递。"
                    + (MATERIAL_NOTE if viewer_role == EMPLOYER else ""))
        return State("published", "已发布", text, "good", actions)
    if status == S.REJECTED:
        text = f"驳回原因：{posting.review_reason}。" + ("请按原因修改后重新提交审核。" if viewer_role == EMPLOYER else "")
        return State("rejected", "已驳回", text, "bad", actions)
    reason = ClosedReason(posting.closed_reason).label if posting.closed_reason else ""
    if posting.closed_reason == ClosedReason.TAKEN_DOWN:
        text = f"已被管理员下架。下架原因：{posting.review_reason}。"
        return State("taken_down", "已下线", text, "bad", actions)
    if posting.closed_reason == ClosedReason.EXPIRED:
        text = f"截止日期{_day(posting.deadline)}已过，职位已自动下线。"
    else:
        text = f"下线原因：{reason}。毕业生已搜索不到该职位。"
    return State("closed", "已下线", text, "info", actions)


def salary_label(posting: Posting) -> str:
    return salary_text(posting.salary_min, posting.salary_max)


def viewer_role_of(user) -> str:
    return EMPLOYER if getattr(user, "role", "") == Role.EMPLOYER else STAFF


def place_names(codes) -> list[dict]:
    """County codes → {code, name} with the full name from the reference snapshot (no query)."""
    from apps.reference.selectors import division_ref

    out = []
    for code in codes:
        ref = division_ref(code)
        out.append({"code": code, "name": ref.full_name if ref is not None else code})
    return out


def posting_detail(posting: Posting) -> dict:
    """The rows a detail page and the API show (one query for majors, one for places)."""
    from apps.jobs.education import education_text
    from apps.reference.selectors import code_label

    places = place_names(sorted(posting.places.values_list("county_code", flat=True)))
    majors = [{"id": m.pk, "name": m.name} for m in posting.majors.order_by("name", "id").only("id", "name")]
    return {
        "category_name": code_label("position_category", posting.category_code),
        "education_text": education_text(posting.education_codes),
        "salary_text": salary_label(posting),
        "channel_name": channel_text(posting),
        "places": places,
        "places_text": "、".join(p["name"] for p in places),
        "majors": majors,
        "majors_names": "、".join(m["name"] for m in majors),
    }
