"""Every kind of notification the platform sends (消息类型), declared once.

`notify(kind=…)` refuses a key not listed here (see `apps.notifications.services.notify`), and
tests/notifications/test_kinds.py walks apps/ for `notify(kind="…")` literals and `*_KIND`
constants, so a new kind cannot be sent without being declared — and offered on the
消息设置 page — first.

A kind's defaults apply while the recipient has saved no preference for it: `default_channel`
(in-app only, or also e-mail) and `default_digest` (the e-mail goes into the daily 摘要 instead
of being sent at once). Defaults never choose SMS: that needs a configured sender and the
person's own choice.
"""

from __future__ import annotations

from dataclasses import dataclass

GRADUATE = "graduate"
EMPLOYER = "employer"
BOTH = "both"

IN_APP = "in_app"
EMAIL = "email"
SMS = "sms"
CHANNEL_LABELS = {IN_APP: "仅站内消息", EMAIL: "站内消息 + 电子邮件", SMS: "站内消息 + 短信"}

# Groups in the order the settings page shows them.
GROUPS = ("网签", "审核", "投递", "职位推荐", "招聘会", "宣讲会", "推荐表", "举报", "全国登记")


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    group: str
    audience: str  # GRADUATE / EMPLOYER / BOTH
    description: str
    default_channel: str = IN_APP
    default_digest: bool = False

    def for_role(self, role: str) -> bool:
        return self.audience in (BOTH, role)

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "group": self.group, "audience": self.audience,
                "description": self.description, "default_channel": self.default_channel,
                "default_digest": self.default_digest}


_KINDS = (
    # 网签 (apps/signing)
    Kind("invitation_received", "收到网签邀约", "网签", GRADUATE, "用人单位向你发出网签邀约", EMAIL),
    Kind("invitation_withdrawn", "邀约被撤回", "网签", GRADUATE, "用人单位撤回了发给你的网签邀约"),
    Kind("invitation_expired", "邀约已过期", "网签", BOTH, "网签邀约超过有效期未处理"),
    Kind("invitation_declined", "邀约被拒绝", "网签", EMPLOYER, "毕业生拒绝了本单位的网签邀约"),
    Kind("invitation_accepted", "邀约被接受", "网签", EMPLOYER, "毕业生接受了本单位的网签邀约", EMAIL),
    Kind("invitation_superseded", "邀约已失效", "网签", EMPLOYER, "毕业生已与其他单位签约，本单位的邀约失效"),
    Kind("agreement_signed", "签约成功", "网签", GRADUATE, "你已完成网上签约，等待学校审核"),
    Kind("agreement_reviewed", "院系初审通过", "网签", GRADUATE, "网签协议通过院系初审"),
    Kind("agreement_approved", "协议审核通过", "网签", BOTH, "网签协议通过学校审核，可以打印协议书", EMAIL),
    Kind("agreement_returned", "协议被退回", "网签", BOTH, "学校退回网签信息，需要用人单位更正", EMAIL),
    Kind("agreement_corrected", "单位信息已更正", "网签", GRADUATE, "用人单位更正了网签单位信息"),
    Kind("termination_decided", "解约审核结果", "网签", BOTH, "解约申请的审核结果", EMAIL),
    # 审核 (apps/employers, apps/jobs)
    Kind("employer.review", "单位账号审核", "审核", EMPLOYER, "单位认证、停用、恢复和子账号申请", EMAIL),
    Kind("posting.review", "职位审核", "审核", EMPLOYER, "职位审核结果、下线和到期"),
    # 投递 (apps/applications)
    Kind("application.new", "新的投递", "投递", EMPLOYER, "毕业生向本单位的职位投递简历", EMAIL, True),
    Kind("application.withdrawn", "投递被撤回", "投递", EMPLOYER, "毕业生撤回了投递"),
    Kind("application.status", "投递状态变化", "投递", GRADUATE, "用人单位查看、邀请面试、录用或不合适", EMAIL),
    # 职位推荐 (apps/jobs/digest.py)
    Kind("jobs.match_digest", "新职位提醒", "职位推荐", GRADUATE, "每天一条：符合求职意向的新职位"),
    # 招聘会 (apps/fairs)
    Kind("fair.booth", "展位申请结果", "招聘会", EMPLOYER, "展位通过、候补、递补、未通过或被取消", EMAIL),
    Kind("fair.reminder", "招聘会提醒", "招聘会", GRADUATE, "你关注的招聘会前一天提醒", EMAIL),
    Kind("fair.cancelled", "招聘会取消", "招聘会", BOTH, "招聘会被学校取消", EMAIL),
    # 宣讲会 (apps/infosessions)
    Kind("session.decision", "宣讲会申请结果", "宣讲会", EMPLOYER, "宣讲会已安排、未通过或被取消", EMAIL),
    Kind("session.reminder", "宣讲会提醒", "宣讲会", GRADUATE, "你报名的宣讲会前一天提醒", EMAIL),
    Kind("session.cancelled", "宣讲会取消", "宣讲会", GRADUATE, "你报名的宣讲会被取消", EMAIL),
    # 推荐表 (apps/recommendations)
    Kind("recommendation.issued", "就业推荐表已签发", "推荐表", GRADUATE, "院系签发了你的就业推荐表", EMAIL),
    # 举报 (apps/reports)
    Kind("report.outcome", "举报处理结果", "举报", GRADUATE, "你提交的举报已处理"),
    # 全国登记 (apps/registry): the national registry refused the graduate's record
    Kind("registry.refused", "全国登记未通过", "全国登记", GRADUATE,
         "全国毕业去向登记系统未接收你的信息，学校核对后会重新报送"),
)

KINDS: dict[str, Kind] = {kind.key: kind for kind in _KINDS}
assert len(KINDS) == len(_KINDS), "duplicate notification kind"
assert all(kind.group in GROUPS for kind in _KINDS), "notification kind in an undeclared group"


def kind_for(key: str) -> Kind | None:
    return KINDS.get(key)


def kinds_for_role(role: str) -> list[Kind]:
    """The kinds a graduate / an employer user can receive, in group order."""
    order = {group: index for index, group in enumerate(GROUPS)}
    return sorted((k for k in _KINDS if k.for_role(role)), key=lambda k: order[k.group])


def grouped_for_role(role: str) -> list[tuple[str, list[Kind]]]:
    groups: dict[str, list[Kind]] = {}
    for kind in kinds_for_role(role):
        groups.setdefault(kind.group, []).append(kind)
    return list(groups.items())
