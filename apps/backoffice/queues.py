"""The staff inbox's queues (待办), declared once: a new queue is one `Queue` entry in `QUEUES`.

Each entry says who sees it (roles), which rows wait for the actor (always starting from
`visible_to(Model, actor)` and the app's own "waiting" status), which field tells an item's age,
what decision date was promised (if the handbook or the app promises one), where the item is
decided (the app's existing staff page) and, where the handbook allows it, a batch action that
goes through the app's own service. Counting, listing and the pages live in `inbox.py`.

Promises kept here are only the ones that exist: 信息纠错 carries `promised_by` (the handbook's
2-3 个工作日, apps/corrections/services.PROMISED_WORKING_DAYS); a booth application must be decided
before the fair starts and a 宣讲会 request before its day. Queues without a promise show no
overdue share rather than an invented one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import F, QuerySet
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import visible_to
from apps.core.workdays import add_working_days

# --- promised decision dates ------------------------------------------------------------------


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def _read_path(item, path: str):
    value = item
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


@dataclass(frozen=True)
class DueField:
    """The decision is promised by the date (or moment) held in `path` (may cross relations:
    ``fair__starts_at``). Past its date (before today) the item is overdue."""

    path: str
    is_datetime: bool = False

    def due_on(self, item, age_field: str) -> date | None:
        return _as_date(_read_path(item, self.path))

    def overdue_filter(self, age_field: str, today: date) -> dict:
        return {f"{self.path}__lt": day_start(today) if self.is_datetime else today}


@dataclass(frozen=True)
class DueAfterWorkingDays:
    """The decision is promised `days` working days (apps/core/workdays: holidays and 调休 as
    data) after the day the item was submitted (the queue's age field)."""

    days: int

    def due_on(self, item, age_field: str) -> date | None:
        submitted = _as_date(_read_path(item, age_field))
        return add_working_days(submitted, self.days) if submitted else None

    def last_overdue_submission_day(self, today: date) -> date:
        """The latest submission day whose promised date is already past (before `today`);
        promised dates grow with the submission day, so every earlier day is overdue too."""
        day = today - timedelta(days=1)
        while add_working_days(day, self.days) >= today:
            day -= timedelta(days=1)
        return day

    def overdue_filter(self, age_field: str, today: date) -> dict:
        return {f"{age_field}__lt": day_start(self.last_overdue_submission_day(today) + timedelta(days=1))}


Promise = DueField | DueAfterWorkingDays


# --- batch actions ------------------------------------------------------------------------------


@dataclass
class BatchResult:
    approved: int = 0
    refusals: list[str] = field(default_factory=list)  # Chinese, one per refused or unknown id


@dataclass(frozen=True)
class BatchAction:
    label: str
    confirm: str
    run: Callable[..., BatchResult]  # run(actor=…, ids=[…], client_address=…)


def _graduate_label(name: str, student_number: str) -> str:
    return f"{name}（{student_number}）"


def _destination_batch_approve(*, actor, ids: list[int], client_address: str = "") -> BatchResult:
    """批量通过 through the destinations' own door (destination_batch_approve: every record is
    reviewed by destination_review, audited, refused ones reported)."""
    from apps.destinations.models import Destination
    from apps.destinations.services import destination_batch_approve

    found = list(visible_to(Destination, actor).select_related("graduate").filter(pk__in=ids).order_by("pk"))
    outcome = destination_batch_approve(actor=actor, destinations=found, client_address=client_address)
    by_id = {d.pk: d for d in found}
    result = BatchResult(approved=len(outcome["approved"]))
    for pk, message in outcome["refused"].items():
        g = by_id[pk].graduate
        result.refusals.append(f"{_graduate_label(g.name, g.student_number)}未通过：{message}")
    missing = len(set(ids) - set(by_id))
    if missing:
        result.refusals.append(f"{missing} 条记录不存在或无权访问")
    return result


# --- the declaration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    key: str  # in the URL: /staff/inbox/<key>/
    label: str  # what staff read
    roles: tuple[str, ...]
    waiting: Callable[[object], QuerySet]  # waiting(actor) → the scoped waiting rows
    age_field: str  # submitted / created time: oldest first
    decide_url: str  # URL name of the app's page where an item is decided
    decide_kwargs: Callable[[object], dict]
    what: Callable[[object], str]  # what waits, in Chinese
    who: Callable[[object], str] | None = None  # for rows without a graduate
    graduate_field: str = ""  # "graduate_id": who = the graduate's name and student number
    related: tuple[str, ...] = ()  # select_related for the item list
    promise: Promise | None = None
    batch: BatchAction | None = None


def _waiting_destinations(actor):
    from apps.destinations.models import Destination
    from apps.destinations.presenters import reviewable_status

    status = reviewable_status(actor)  # 初审: submitted (college), 终审: college_approved (school)
    return visible_to(Destination, actor).filter(status=status) if status else Destination.objects.none()


def _waiting_agreement_reviews(actor):
    """An agreement in force whose registration (the online-signing destination) waits for this
    reviewer's level (presenters.agreement_review: 签约成功，待学校审核)."""
    from apps.destinations.presenters import reviewable_status
    from apps.signing.models import Agreement, AgreementStatus

    status = reviewable_status(actor)
    if not status:
        return Agreement.objects.none()
    # decided where the registration is reviewed: the destination's staff page (one review door)
    return (visible_to(Agreement, actor).filter(status=AgreementStatus.IN_FORCE, graduate__destination__status=status)
            .annotate(destination_pk=F("graduate__destination__pk")))


def _waiting_terminations(actor):
    from apps.signing.models import Termination
    from apps.signing.services import TERMINATION_LEVELS

    level = next((x for x in TERMINATION_LEVELS if x.role == actor.role), None)
    return visible_to(Termination, actor).filter(status=level.acts_on) if level else Termination.objects.none()


def _waiting_corrections(actor):
    from apps.corrections.models import Correction, CorrectionStatus

    return visible_to(Correction, actor).filter(status=CorrectionStatus.PENDING)


def _waiting_archives(actor):
    """Registered forwarding the school still has to mail (缓寄 ones wait for the graduate)."""
    from apps.archives.models import ArchiveTransfer, TransferStatus

    return visible_to(ArchiveTransfer, actor).filter(status=TransferStatus.REGISTERED, deferred=False)


def _waiting_roster_imports(actor):
    from apps.roster.models import ImportStatus, RosterImport

    return visible_to(RosterImport, actor).filter(status__in=(ImportStatus.INVALID, ImportStatus.FAILED))


def _waiting_employers(actor):
    """单位认证 this actor decides: the school's requests, or the province's own (a request made to
    a school is that school's: apps/employers/services)."""
    from apps.organisations.models import Employer, EmployerStatus

    qs = visible_to(Employer, actor).filter(status=EmployerStatus.PENDING)
    return qs.filter(verifier_school__isnull=True) if actor.role == Role.PROVINCE_STAFF else qs


def _waiting_postings(actor):
    """职位审核 of the actor's channel: the school's, or the province's own channel."""
    from apps.jobs.models import Posting, PostingStatus

    qs = visible_to(Posting, actor).filter(status=PostingStatus.PENDING)
    return qs.filter(channel_school__isnull=True) if actor.role == Role.PROVINCE_STAFF else qs


def _waiting_reports(actor):
    from apps.reports.models import FraudReport, ReportStatus

    return visible_to(FraudReport, actor).filter(status=ReportStatus.OPEN)


def _waiting_booths(actor):
    from apps.fairs.models import BoothStatus, FairBooth, FairStatus

    return visible_to(FairBooth, actor).filter(status=BoothStatus.PENDING, fair__status=FairStatus.PUBLISHED)


def _waiting_sessions(actor):
    from apps.infosessions.models import InfoSession, SessionStatus

    return visible_to(InfoSession, actor).filter(status=SessionStatus.PENDING)


def _waiting_recommendations(actor):
    """就业推荐表 requests waiting for the college's opinion (college staff, or the school's)."""
    from apps.recommendations.models import RecommendationForm, RecommendationStatus

    return visible_to(RecommendationForm, actor).filter(status=RecommendationStatus.REQUESTED)


def _waiting_registry(actor):
    from apps.registry.models import OutboxEntry, OutboxState

    return visible_to(OutboxEntry, actor).filter(state=OutboxState.DEAD)


def _destination_what(d) -> str:
    from apps.destinations import catalog

    category = catalog.category(d.category_code)
    return f"毕业去向登记：{category.name if category else '未选择类别'}"


def _agreement_what(a) -> str:
    return f"网签协议 {a.number}：{a.employer.name}"


def _termination_what(t) -> str:
    return f"解约申请：{t.get_reason_display()}"


def _correction_what(c) -> str:
    return f"信息纠错：{c.get_kind_display()}"


def _archive_what(a) -> str:
    return f"档案转寄：{a.receiving_unit_name or '未填写接收单位'}（{a.get_transfer_method_display()}）"


def _roster_what(r) -> str:
    detail = f"，{r.error_count} 处错误" if r.error_count else ""
    return f"{r.cohort}届生源导入：{r.get_status_display()}{detail}"


def _report_what(r) -> str:
    from apps.reports.reasons import reason_label

    return f"举报：{reason_label(r.reason)}" + (f"（职位：{r.posting.title}）" if r.posting_id else "")


def _booth_what(b) -> str:
    return f"展位申请：{b.fair.title}（{timezone.localtime(b.fair.starts_at):%m月%d日}）"


def _session_what(s) -> str:
    return f"宣讲会申请：{s.topic}（{s.date:%m月%d日}）"


def _registry_what(e) -> str:
    from apps.registry.outbox import REASONS

    return f"发送失败：{REASONS.get(e.reason, '登记记录')}，已尝试 {e.attempts} 次"


REVIEWERS = (Role.COLLEGE_STAFF, Role.SCHOOL_STAFF)
SCHOOL = (Role.SCHOOL_STAFF,)
SCHOOL_AND_PROVINCE = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)

QUEUES: tuple[Queue, ...] = (
    Queue("destinations", "毕业去向审核", REVIEWERS, _waiting_destinations, "submitted_at",
          "staff-destination-detail", lambda d: {"pk": d.pk}, _destination_what, graduate_field="graduate_id",
          batch=BatchAction("批量通过", "确认批量通过所选的毕业去向登记？", _destination_batch_approve)),
    Queue("agreements", "网签协议审核", REVIEWERS, _waiting_agreement_reviews, "accepted_at",
          "staff-destination-detail", lambda a: {"pk": a.destination_pk}, _agreement_what, graduate_field="graduate_id",
          related=("employer",)),
    Queue("terminations", "解约审核", REVIEWERS, _waiting_terminations, "submitted_at",
          "staff-termination-detail", lambda t: {"pk": t.pk}, _termination_what, graduate_field="graduate_id"),
    Queue("corrections", "信息纠错", REVIEWERS, _waiting_corrections, "created_at",
          "staff-correction-detail", lambda c: {"pk": c.pk}, _correction_what, graduate_field="graduate_id",
          promise=DueField("promised_by")),
    # status_changed_at: the order column of the form's (college|school, status, …) indexes
    Queue("recommendations", "就业推荐表", REVIEWERS, _waiting_recommendations, "status_changed_at",
          "staff-recommendation", lambda r: {"graduate_id": r.graduate_id}, lambda r: "就业推荐表申请：待填写推荐意见",
          graduate_field="graduate_id"),
    Queue("archives", "档案转寄", SCHOOL, _waiting_archives, "created_at",
          "staff-archive-detail", lambda a: {"pk": a.pk}, _archive_what, graduate_field="graduate_id"),
    Queue("roster", "生源导入问题", SCHOOL, _waiting_roster_imports, "created_at",
          "roster-import-detail", lambda r: {"pk": r.pk}, _roster_what, who=lambda r: r.original_name),
    Queue("employers", "单位认证", SCHOOL_AND_PROVINCE, _waiting_employers, "registered_at",
          "staff-employer-detail", lambda e: {"pk": e.pk}, lambda e: "单位认证申请", who=lambda e: e.name),
    Queue("postings", "职位审核", SCHOOL_AND_PROVINCE, _waiting_postings, "submitted_at",
          "staff-posting-detail", lambda p: {"pk": p.pk}, lambda p: f"职位：{p.title}", who=lambda p: p.employer.name,
          related=("employer",)),
    Queue("reports", "举报处理", SCHOOL_AND_PROVINCE, _waiting_reports, "created_at",
          "staff-report-detail", lambda r: {"pk": r.pk}, _report_what, who=lambda r: r.employer.name,
          related=("employer", "posting")),
    Queue("booths", "招聘会展位申请", SCHOOL, _waiting_booths, "created_at",
          "staff-fair", lambda b: {"pk": b.fair_id}, _booth_what, who=lambda b: b.employer.name,
          related=("employer", "fair"), promise=DueField("fair__starts_at", is_datetime=True)),
    Queue("sessions", "宣讲会场地安排", SCHOOL, _waiting_sessions, "created_at",
          "staff-session", lambda s: {"pk": s.pk}, _session_what, who=lambda s: s.employer.name,
          related=("employer",), promise=DueField("date")),
    Queue("registry", "全国登记发送失败", SCHOOL_AND_PROVINCE, _waiting_registry, "created_at",
          "staff-registry", lambda e: {}, _registry_what, graduate_field="graduate_id"),
)

QUEUES_BY_KEY = {q.key: q for q in QUEUES}


def queues_for(actor) -> list[Queue]:
    role = getattr(actor, "role", "")
    return [q for q in QUEUES if role in q.roles]
