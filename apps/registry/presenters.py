"""What a person reads about the national registry sync (全国毕业去向登记系统): one presenter for
the sync state (``sync_state``), one for the registry copy shown (``copy_state``), and the
side-by-side comparison (``comparison``). The graduate's page (全国毕业去向登记系统数据查看), the
staff sync monitor, the graduate's staff page and the API all take their texts from here."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.core.text import mask_phone
from apps.registry import services
from apps.registry.models import GraduateSync, OutboxState
from apps.registry.national import (
    FIELDS,
    FIX_ARCHIVE,
    FIX_CONTACT,
    FIX_CORRECTION,
    FIX_DESTINATION,
    FIX_ORIGIN,
    SECTION_TITLES,
    NationalField,
)
from apps.registry.outbox import REASONS


@dataclass(frozen=True)
class State:
    code: str
    title: str
    text: str
    tone: str = "info"  # good / warn / bad / info: the badge and alert classes

    def as_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "text": self.text, "tone": self.tone}


def _minute(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def last_sync_text(graduate_sync: GraduateSync | None) -> str:
    if graduate_sync is None or graduate_sync.last_delivered_at is None:
        return "尚未成功同步"
    return f"最近一次同步：{_minute(graduate_sync.last_delivered_at)}"


def changes_until_text(cohort: int) -> str:
    """教学厅〔2023〕5号: the registry accepts changes until 31 August of the graduation year
    (``REGISTRY_CHANGES_UNTIL``, month-day)."""
    month, day = (int(part) for part in str(getattr(settings, "REGISTRY_CHANGES_UNTIL", "08-31")).split("-"))
    return f"全国毕业去向登记系统接受信息变更至{cohort}年{month}月{day}日"


def sync_state(graduate_sync: GraduateSync | None, pending_count: int, dead_count: int, *,
               viewer_role: str) -> State:
    """Whether the platform's changes have reached the registry: not yet started, waiting
    (entries pending), failed (an entry is dead: nothing later of the graduate's is sent until
    staff act) or synchronised. ``viewer_role`` picks whose words: the graduate is told what to
    expect, staff what to do."""
    staff = viewer_role != Role.GRADUATE
    last = last_sync_text(graduate_sync)
    if dead_count:
        if staff:
            return State("failed", "同步失败",
                         f"有{dead_count}条变更未能送达全国毕业去向登记系统（被拒收或多次重试失败），"
                         f"该毕业生之后的变更暂停发送；请查看失败原因，处理后重新发送。{last}。", "bad")
        return State("failed", "同步失败",
                     f"有{dead_count}条信息变更未能送达全国毕业去向登记系统，学校老师会处理后重新发送，"
                     f"您无需重复保存。{last}。", "bad")
    if pending_count:
        if staff:
            return State("waiting", "等待同步", f"有{pending_count}条变更等待发送到全国毕业去向登记系统。{last}。", "warn")
        return State("waiting", "等待同步",
                     f"有{pending_count}条信息变更正在发送到全国毕业去向登记系统，通常几分钟内完成，"
                     f"请稍后刷新本页查看。{last}。", "warn")
    if graduate_sync is None or graduate_sync.last_sequence == 0:
        if staff:
            return State("not_started", "尚未同步", "该毕业生的信息尚无变更需要发送到全国毕业去向登记系统。", "info")
        return State("not_started", "尚未同步",
                     "平台尚未向全国毕业去向登记系统发送您的信息。保存生源信息、联系方式、毕业去向或档案转寄信息后，"
                     "平台会自动同步。", "info")
    return State("synced", "已同步", f"平台信息已全部发送到全国毕业去向登记系统。{last}。", "good")


# --- the registry's copy --------------------------------------------------------------------

# how the copy shown was obtained (services_copy.CopyResult.status)
COPY_FRESH, COPY_STALE, COPY_UNREACHABLE, COPY_EMPTY = "fresh", "stale", "unreachable", "empty"


def copy_state(status: str, fetched_at: datetime | None) -> State:
    if status == COPY_FRESH:
        return State("fresh", "已读取登记系统数据", f"以下为全国毕业去向登记系统当前数据（{_minute(fetched_at)}读取）。", "info")
    if status == COPY_STALE:
        return State("stale", "暂时无法连接全国毕业去向登记系统",
                     f"以下为{_minute(fetched_at)}读取的数据，可能不是最新。请稍后刷新本页重试；"
                     "您在平台保存的信息不受影响，会在登记系统恢复后自动发送。", "warn")
    if status == COPY_UNREACHABLE:
        return State("unreachable", "暂时无法连接全国毕业去向登记系统",
                     "暂时无法读取登记系统中的数据，也没有以前读取过的数据可以显示。请稍后刷新本页重试；"
                     "您在平台保存的信息不受影响，会在登记系统恢复后自动发送。", "warn")
    return State("empty", "登记系统暂无您的记录",
                 "全国毕业去向登记系统中还没有您的记录。平台发送您的信息后，这里会显示登记系统中的数据；"
                 "下方仅列出平台中的信息。", "info")


# --- the side-by-side comparison ---------------------------------------------------------------

# national column → the 生源 field a correction (去纠错 / 毕业生信息反馈) preselects
CORRECTION_FIELDS = {
    "姓名": "name", "考生号": "exam_number", "性别": "gender_code", "民族名称": "ethnicity_code",
    "政治面貌": "political_status_code", "城乡生源": "urban_rural_code", "学历层次": "education_level_code",
    "专业名称": "major", "专业代码": "major", "培养方式": "training_mode_code", "委培单位": "sponsor_unit",
    "学习形式": "study_form", "入学年月": "enrolment_date", "毕业日期": "graduation_date",
}
FIX_PAGES = {
    FIX_ORIGIN: ("去生源信息登记", "graduate-origin"),
    FIX_CONTACT: ("去联系方式登记", "graduate-contacts"),
    FIX_DESTINATION: ("去毕业去向登记", "graduate-destination"),
    FIX_ARCHIVE: ("去档案转寄登记", "graduate-archive"),
}


def fix_link(national_field: NationalField) -> dict[str, str]:
    """Where this field is put right: the graduate's own page, or 去纠错 (a correction, with the
    field preselected where the 毕业生信息反馈 form knows it)."""
    if national_field.fix == FIX_CORRECTION:
        spec = CORRECTION_FIELDS.get(national_field.key)
        query = f"?field={spec}" if spec else "?kind=other"
        return {"label": "去纠错", "url": reverse("correction-new") + query}
    label, url_name = FIX_PAGES[national_field.fix]
    return {"label": label, "url": reverse(url_name)}


@dataclass
class Row:
    key: str
    platform: str
    registry: str | None  # None: no copy of the registry's record to compare with
    differs: bool
    fix: dict[str, str]


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)

    @property
    def difference_count(self) -> int:
        return sum(1 for r in self.rows if r.differs)


def comparison(platform: dict[str, str], registry: dict[str, str] | None, *, owner: bool) -> list[Section]:
    """基本信息, 毕业去向信息 and 档案转寄信息, each national field with the platform's value and
    the registry's. Personal numbers are masked unless the viewer owns the record."""
    sections = {key: Section(key, title) for key, title in SECTION_TITLES.items()}
    for f in FIELDS:
        mine = platform.get(f.key, "")
        theirs = None if registry is None else registry.get(f.key, "")
        differs = theirs is not None and mine != theirs
        if f.personal and not owner:
            mine, theirs = mask_phone(mine), (mask_phone(theirs) if theirs is not None else None)
        sections[f.section].rows.append(Row(f.key, mine, theirs, differs, fix_link(f)))
    return list(sections.values())


def differences(sections: list[Section]) -> list[Row]:
    return [r for s in sections for r in s.rows if r.differs]


# --- staff monitor rows ---------------------------------------------------------------------------

def age_text(seconds: int | None) -> str:
    if seconds is None:
        return "无"
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{seconds // 60}分钟"
    if seconds < 86400:
        return f"{seconds // 3600}小时{seconds % 3600 // 60}分钟"
    return f"{seconds // 86400}天{seconds % 86400 // 3600}小时"


def reason_label(reason: str) -> str:
    """What changed (变更内容, outbox.REASONS), the code itself when unknown."""
    return REASONS.get(reason, reason)


# who is offered 重新发送 (the service's own rule; college staff read their college's entries only)
RETRIERS = services.RETRIERS

STATE_TONES = {OutboxState.PENDING: "warn", OutboxState.DELIVERED: "good", OutboxState.DEAD: "bad"}


def entry_row(entry) -> dict:
    """One outbox entry as staff read it (no payload: it holds personal data)."""
    return {
        "id": entry.pk, "graduate_id": entry.graduate_id, "sequence": entry.sequence, "reason": entry.reason,
        "reason_label": reason_label(entry.reason),
        "state": entry.state, "state_label": OutboxState(entry.state).label,
        "tone": STATE_TONES.get(entry.state, "info"), "attempts": entry.attempts,
        "next_attempt_at": entry.next_attempt_at if entry.state == OutboxState.PENDING else None,
        "last_error": entry.last_error, "created_at": entry.created_at, "delivered_at": entry.delivered_at,
    }
