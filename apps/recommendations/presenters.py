"""What a person reads about a 就业推荐表: one presenter, used by the graduate's page, the staff
pages and the API (`state`). Limits in the texts come from the services' own constants."""

from __future__ import annotations

from django.utils import timezone

from apps.accounts.models import Role
from apps.core.states import Action, State
from apps.recommendations.models import RecommendationForm, RecommendationStatus
from apps.recommendations.services import MAX_OPINION, REISSUE_REASON

S = RecommendationStatus


def _day(value) -> str:
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def recommendation_state(form: RecommendationForm | None, *, viewer_role: str) -> State:
    """The form as the graduate (viewer_role graduate) or staff see it; None = never asked."""
    graduate = viewer_role == Role.GRADUATE
    if form is None:
        if graduate:
            return State("none", "未申请",
                         "就业推荐表由院系根据你的生源信息、简历和院系推荐意见签发，带防伪二维码和验证码。"
                         "申请前请先完善简历，签发时的内容会写入推荐表。", "info",
                         (Action("request", "申请就业推荐表", "my-recommendation-request", method="post"),))
        return State("none", "未申请",
                     f"毕业生尚未申请；院系也可直接填写推荐意见（不超过{MAX_OPINION}字）签发。", "info")
    gid = form.graduate_id
    if form.status == S.REQUESTED:
        if graduate:
            return State("requested", S.REQUESTED.label,
                         f"已于{_day(form.requested_at)}申请，等待院系填写推荐意见并签发，签发后会通知你。", "warn")
        return State("requested", S.REQUESTED.label,
                     f"毕业生于{_day(form.requested_at)}申请，请核对内容预览，填写院系推荐意见"
                     f"（不超过{MAX_OPINION}字）、审核人和日期后签发。签发后推荐表锁定，不能再修改。", "warn",
                     (Action("issue", "填写意见并签发", "staff-recommendation", (gid,)),))
    if form.status == S.ISSUED:
        text = (f"验证码{form.verification_code}，{_day(form.issued_at)}签发，审核人{form.reviewer_name}。"
                "推荐表签发后锁定，不能修改；")
        if graduate:
            return State("issued", S.ISSUED.label, text + "内容需要更新时可申请重新签发，新表签发后本表作废。", "good",
                         (Action("download", "下载推荐表PDF", "my-recommendation-pdf"),
                          Action("request", "申请重新签发", "my-recommendation-request", method="post")))
        return State("issued", S.ISSUED.label, text + "如需更改，请重新签发，本表随之作废。", "good",
                     (Action("download", "下载PDF", "staff-recommendation-pdf", (form.pk,)),
                      Action("reissue", "重新签发", "staff-recommendation", (gid,)),
                      Action("void", "作废", "staff-recommendation-void", (form.pk,), method="post")))
    text = f"验证码{form.verification_code}，已于{_day(form.voided_at)}作废"
    if form.void_reason and form.void_reason != REISSUE_REASON:
        text += f"（原因：{form.void_reason}）"
    if form.replaced_by_id:
        text += "，已由新签发的推荐表替代" + (f"（验证码{form.replaced_by.verification_code}）"
                                           if form.replaced_by and form.replaced_by.verification_code else "")
    text += "。"
    if graduate:
        return State("void", S.VOID.label, text + ("" if form.replaced_by_id else "如仍需推荐表，请重新申请。"), "bad",
                     () if form.replaced_by_id else
                     (Action("request", "重新申请", "my-recommendation-request", method="post"),))
    return State("void", S.VOID.label, text, "bad")
