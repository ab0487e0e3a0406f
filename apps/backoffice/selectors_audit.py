"""操作日志 (issue 14, part 5): the audit trail as staff in scope read it, and the verification of a
school's hash chain (审计链校验).

Scope is AuditEntry.scope through visible_to: college staff read the entries about their
college (its graduates' records), school staff their school's chain, province staff the
schools of their province. Filters are indexed lookups: the actor by username and the graduate
by student number are subqueries (no extra round trip), the order is the (school|college,
-occurred_at) index's, read as a bounded page (LIMIT page + 1, a capped count).

Verifying a chain recomputes one HMAC per entry of the school (a school with 200,000 entries
takes seconds), so it runs only when a person presses 校验 (POST); the last result is kept in
the cache with its time and shown on every page view."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.permissions import STAFF, require_role
from apps.accounts.scoping import visible_to
from apps.audit.models import AuditChainHead, AuditEntry
from apps.audit.presenters import ACTION_LABELS, action_label, history_rows
from apps.core.errors import DomainError, NotFound
from apps.core.text import normalise
from apps.graduates.models import Graduate
from apps.notifications.scrub import scrub_personal_numbers
from apps.organisations.models import School

_CHINESE = re.compile(r"[\u4e00-\u9fff]")  # a key without a Chinese label reads as 其他信息, never as its code
VERIFY_CACHE_SECONDS = 30 * 24 * 3600  # the last result stays until the next 校验
VIEWER_COLUMNS = ("id", "occurred_at", "actor_kind", "actor_label", "action", "summary", "target_type",
                  "target_id", "school_id", "college_id", "graduate_id", "changes")


@dataclass(frozen=True)
class AuditFilters:
    actor_username: str = ""
    student_number: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    school_id: int | None = None  # province staff: one school of the province

    def active(self) -> bool:
        return any(asdict(self).values())


def action_choices() -> list[tuple[str, str]]:
    """(action, label) for the action filter, by label."""
    return sorted(ACTION_LABELS.items(), key=lambda item: item[1])


def parse_date(raw) -> date | None:
    """A yyyy-mm-dd filter value; anything else means no filter."""
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def audit_entries(*, actor, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The entries `actor` may read, filtered, newest first."""
    require_role(actor, STAFF)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DomainError("开始日期不能晚于结束日期", fields={"date_from": "开始日期晚于结束日期"})
    qs = visible_to(AuditEntry, actor)
    if filters.school_id and actor.role == Role.PROVINCE_STAFF:
        qs = qs.filter(school_id=filters.school_id)
    username = normalise(filters.actor_username)
    if username:
        qs = qs.filter(actor_id__in=User.objects.filter(username=username).values("pk"))
    student_number = normalise(filters.student_number)
    if student_number:
        graduates = visible_to(Graduate, actor).filter(student_number=student_number).values("pk")
        qs = qs.filter(graduate_id__in=graduates)
    if filters.action:
        qs = qs.filter(action=filters.action)
    zone = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(occurred_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=zone))
    if filters.date_to:
        qs = qs.filter(occurred_at__lt=datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=zone))
    # 省级: school by school (the province is a join, no index starts with it), each school
    # newest first — the (school, -occurred_at) index read forwards serves exactly that order
    order = ("school_id", "-occurred_at", "-id") if actor.role == Role.PROVINCE_STAFF else ("-occurred_at", "-id")
    return qs.select_related("graduate").only(
        *VIEWER_COLUMNS, "graduate__name", "graduate__student_number").order_by(*order)


def _scrubbed(value: str) -> str:
    """What was stored is masked already; a full ID or phone number that slipped into a value
    or a summary is masked again here, so the viewer never shows one in full."""
    return scrub_personal_numbers(value) if value else value


TARGET_LABELS = {
    "Graduate": "毕业生", "User": "账号", "StaffAccount": "账号", "Destination": "毕业去向", "Agreement": "就业协议",
    "Invitation": "签约邀请", "Termination": "解约", "Correction": "信息纠错", "ArchiveTransfer": "档案转寄",
    "Notice": "通知", "RosterImport": "生源导入", "RecommendationForm": "就业推荐表", "Employer": "用人单位",
    "Posting": "职位", "Application": "投递", "JobFair": "招聘会", "FairBooth": "招聘会展位",
    "InfoSession": "宣讲会", "SchoolPolicy": "学校设置", "Resume": "简历", "Report": "举报",
}


def target_text(entry: AuditEntry) -> str:
    if entry.graduate_id and entry.graduate is not None:
        return f"{entry.graduate.name}（{entry.graduate.student_number}）"
    if not entry.target_type:
        return "—"
    return f"{TARGET_LABELS.get(entry.target_type, '记录')} #{entry.target_id}"


def viewer_row(entry: AuditEntry) -> dict:
    """One entry as the page and the API show it: time, actor, action label, target, masked
    before/after rows."""
    rows = [{**row, "label": row["label"] if _CHINESE.search(row["label"]) else "其他信息",
             "before": _scrubbed(row["before"]), "after": _scrubbed(row["after"])}
            for row in history_rows(entry.changes)]
    return {
        "id": entry.pk,
        "occurred_at": entry.occurred_at,
        "actor_kind": entry.actor_kind,
        "actor_kind_label": entry.get_actor_kind_display(),
        "actor_label": _scrubbed(entry.actor_label),
        "action": entry.action,
        "action_label": action_label(entry.action),
        "summary": _scrubbed(entry.summary),
        "target": _scrubbed(target_text(entry)),
        "graduate_id": entry.graduate_id,
        "changes": rows,
    }


# --- 审计链校验 ----------------------------------------------------------------------------------

def verification_school(actor, school_id: int | None = None) -> School | None:
    """The school whose chain the actor checks: their own (school and college staff), or the
    chosen school of their province (province staff; None until one is chosen)."""
    require_role(actor, STAFF)
    if actor.role == Role.PROVINCE_STAFF:
        if not school_id:
            return None
        school = visible_to(School, actor).filter(pk=school_id).first()
        if school is None:
            raise NotFound()
        return school
    return School.objects.filter(pk=actor.school_id).first()


def _cache_key(school_id: int) -> str:
    return f"audit-viewer:verify:{school_id}"


def last_verification(school: School | None) -> dict | None:
    """The last 校验 result for the school (None: never checked, or the cache was cleared)."""
    if school is None:
        return None
    return cache.get(_cache_key(school.pk))


def verify_school_chain(*, actor, school_id: int | None = None) -> dict:
    """Recompute the school's chain now (every entry's HMAC, and the published heads) and keep
    the result with its time. Not an audit entry itself: that would move the head it checked."""
    from apps.audit.services import _verify_chain, read_published_heads

    school = verification_school(actor, school_id)
    if school is None:
        raise DomainError("请先选择学校", fields={"school_id": "请选择学校"})
    chain = f"school:{school.pk}"
    published, file_problems = read_published_heads()
    head = AuditChainHead.objects.filter(chain=chain).first()
    report = _verify_chain(chain, head, published.get(chain, {}), "default")
    problem = report.problem or ("；".join(file_problems) if file_problems else "")
    result = {
        "school_id": school.pk,
        "school_name": school.name,
        "ok": report.ok and not file_problems,
        "entries": report.entries,
        "broken_at": report.broken_at,
        "published_checked": report.published_checked,
        "problem": problem,
        "checked_at": timezone.now(),
        "checked_by": actor.display_name or actor.username,
    }
    cache.set(_cache_key(school.pk), result, VERIFY_CACHE_SECONDS)
    return result


def verification_text(result: dict | None) -> str:
    """What the panel says about a result."""
    if result is None:
        return "尚未校验。校验会逐条重新计算本校审计记录的摘要，记录较多时需要几秒钟。"
    if result["ok"]:
        return f"审计链完整：共 {result['entries']} 条记录，逐条校验通过，未发现改动、插入或删除。"
    return f"审计链校验未通过：{result['problem'] or '记录与链头不符'}"
