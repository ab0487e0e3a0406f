"""The doors of 举报 (C9): a graduate files a report about a posting or an employer; school
staff of the reporter's school or province staff decide it, taking the posting down or
suspending the employer through those areas' own services, and the reporter is notified of the
outcome. Each door checks who acts, runs in one transaction and leaves an audit entry."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import visible_to
from apps.audit.services import audit_record
from apps.core import throttle
from apps.core.errors import DomainError, Forbidden
from apps.core.files import delete_stored_files
from apps.core.images import ProcessedImage, check_image_count, image_content_file, process_image
from apps.graduates.models import Graduate
from apps.jobs.models import Posting, PostingStatus
from apps.jobs.selectors import postings_open_to
from apps.organisations.models import Employer, EmployerStatus
from apps.reports.models import FraudReport, FraudReportImage, ReportOutcome, ReportStatus
from apps.reports.reasons import REASON_KEYS, reason_label

MAX_DETAILS = 2000
MAX_NOTE = 500
# Filings per graduate: enough for every real case, too few for flooding the queues.
REPORTS_PER_WINDOW = 5
REPORT_WINDOW_SECONDS = 24 * 3600
THROTTLE_SCOPE = "report-file"
# Employers a graduate may report without naming a posting: those with an account that was
# verified (a suspended one may still be reported: the report records what happened).
REPORTABLE_EMPLOYER_STATUSES = (EmployerStatus.VERIFIED, EmployerStatus.SUSPENDED)
DECIDERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)

MSG_DECIDED = "该举报已处理"
MSG_NO_TARGET = "请从职位或单位页面发起举报"
MSG_POSTING = "该职位不存在或已下线，无法举报"
MSG_EMPLOYER = "该单位不存在或不能被举报"


def _clean_text(value, *, max_len: int, field: str, required_message: str) -> str:
    text = (str(value) if value is not None else "").strip()
    if not text:
        raise DomainError(required_message, code="required", fields={field: required_message})
    if len(text) > max_len:
        message = f"不超过{max_len}个字（当前{len(text)}个字）"
        raise DomainError(message, code="too_long", fields={field: message})
    return text


def _processed_images(images) -> list[ProcessedImage]:
    images = [image for image in (images or []) if image]
    try:
        check_image_count(0, len(images))
    except DomainError as exc:
        raise DomainError(exc.message, code=exc.code, fields={"images": exc.message}) from None
    processed = []
    for number, upload in enumerate(images, start=1):
        try:
            processed.append(process_image(upload))
        except DomainError as exc:
            message = f"第{number}张图片：{exc.message}" if len(images) > 1 else exc.message
            raise DomainError(message, code=exc.code, fields={"images": message}) from None
    return processed


def reporter_of(actor) -> Graduate:
    if actor is None or not actor.is_authenticated or actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden("只有毕业生可以提交举报")
    return Graduate.objects.select_related("school").get(pk=actor.graduate_id)


def _as_id(value) -> int | None:
    """An id from a form or query string; anything else (junk, a number no column can hold) → None."""
    value = getattr(value, "pk", value)
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text) or None


def report_target(graduate: Graduate, *, posting, employer) -> tuple[Posting | None, Employer]:
    """The posting (open to this graduate) and its employer, or an employer alone."""
    if posting not in (None, ""):
        posting_id = _as_id(posting)
        found = (postings_open_to(graduate).select_related("employer").filter(pk=posting_id).first()
                 if posting_id else None)
        if found is None:
            raise DomainError(MSG_POSTING, code="posting_not_open", fields={"posting": MSG_POSTING})
        return found, found.employer
    if employer not in (None, ""):
        employer_id = _as_id(employer)
        found = (Employer.objects.filter(pk=employer_id, status__in=REPORTABLE_EMPLOYER_STATUSES).first()
                 if employer_id else None)
        if found is None:
            raise DomainError(MSG_EMPLOYER, code="employer_not_reportable", fields={"employer": MSG_EMPLOYER})
        return None, found
    raise DomainError(MSG_NO_TARGET, code="no_target", fields={"posting": MSG_NO_TARGET})


def report_file(
    *, actor, posting=None, employer=None, reason: str, details: str,
    images: list[UploadedFile] | None = None, client_address: str = "",
) -> FraudReport:
    """A graduate reports a posting open to them, or a verified (or suspended) employer. The
    report belongs to the reporter's school: that school's queue and the province's show it."""
    graduate = reporter_of(actor)
    found_posting, found_employer = report_target(graduate, posting=posting, employer=employer)
    reason = (reason or "").strip()
    if reason not in REASON_KEYS:
        raise DomainError("请选择举报类型", code="invalid_reason", fields={"reason": "请选择举报类型"})
    details = _clean_text(details, max_len=MAX_DETAILS, field="details", required_message="请填写举报内容")
    if FraudReport.objects.filter(reporter=graduate, employer=found_employer, posting=found_posting,
                                  status=ReportStatus.OPEN).exists():
        what = "该职位" if found_posting else "该单位"
        message = f"你对{what}的举报正在处理中，请在“我的举报”中查看处理结果"
        raise DomainError(message, code="duplicate_open", fields={"details": message})
    # counted before the images are decoded (the costly part); a refused filing gives its slot back
    throttle.take(THROTTLE_SCOPE, str(graduate.pk), limit=REPORTS_PER_WINDOW, window_seconds=REPORT_WINDOW_SECONDS,
                  message=f"举报提交过于频繁（每天最多{REPORTS_PER_WINDOW}次），请{{minutes}}分钟后再试；"
                          f"情况紧急请拨打省教育厅举报电话")
    stored: list[str] = []
    try:
        processed = _processed_images(images)
        with transaction.atomic():
            report = FraudReport.objects.create(
                reporter=graduate, school_id=graduate.school_id, employer=found_employer, posting=found_posting,
                reason=reason, details=details,
            )
            for image in processed:
                row = FraudReportImage(report=report, width=image.width, height=image.height, size=image.size,
                                       original_name=image.original_name)
                content = image_content_file(image)
                row.file.save(content.name, content, save=False)
                stored.append(row.file.name)
                row.save()
            target = f"职位“{found_posting.title}”" if found_posting else f"单位“{found_employer.name}”"
            audit_record(
                actor=actor, action="report.file", summary=f"举报#{report.pk}：{target}（{reason_label(reason)}）",
                target=report, school_id=graduate.school_id, college_id=graduate.college_id,
                graduate_id=graduate.pk,
                changes={"举报类型": ["", reason_label(reason)],
                         **({"证明材料": ["", f"{len(processed)}张图片"]} if processed else {})},
                client_address=client_address,
            )
    except BaseException:
        delete_stored_files(stored)
        throttle.undo(THROTTLE_SCOPE, str(graduate.pk))
        raise
    return report



def report_decide_refusal(actor, report: FraudReport) -> str | None:
    """None when the actor may decide this report; otherwise why not (pages ask it too)."""
    if actor is None or not actor.is_authenticated or actor.role not in DECIDERS:
        return "只有学校或省级管理员可以处理举报"
    if actor.role == Role.SCHOOL_STAFF and actor.school_id != report.school_id:
        return "只能处理本校毕业生的举报"
    if actor.role == Role.PROVINCE_STAFF and actor.province_id != report.school.province_id:
        return "只能处理本省毕业生的举报"
    if report.status != ReportStatus.OPEN:
        return MSG_DECIDED
    return None


def _assert_decider(actor, report: FraudReport) -> None:
    refusal = report_decide_refusal(actor, report)
    if refusal == MSG_DECIDED:
        raise DomainError(MSG_DECIDED, code="already_decided")
    if refusal:
        raise Forbidden(refusal)


def _actions(outcome: str, *, take_down: bool, suspend: bool) -> tuple[bool, bool]:
    """What the outcome does: 职位已下架 takes the posting down, 单位已停用 suspends the employer,
    and either may be combined with the other; 未发现问题 does neither."""
    if outcome not in ReportOutcome.values:
        raise DomainError("请选择处理结果", code="invalid_outcome", fields={"outcome": "请选择处理结果"})
    take_down = bool(take_down) or outcome == ReportOutcome.POSTING_TAKEN_DOWN
    suspend = bool(suspend) or outcome == ReportOutcome.EMPLOYER_SUSPENDED
    if outcome == ReportOutcome.NO_FRAUD and (take_down or suspend):
        message = "处理结果为“经核实未发现问题”时不能下架职位或停用单位"
        raise DomainError(message, code="outcome_conflict", fields={"outcome": message})
    return take_down, suspend


def take_down_refusal(actor, report: FraudReport) -> str | None:
    """None when the actor may take the reported posting down: it must name one, in the actor's
    channel scope (the postings service reads through the same `visible_to`)."""
    if report.posting_id is None:
        return "该举报针对单位，没有可下架的职位"
    if not visible_to(Posting, actor).filter(pk=report.posting_id).exists():
        return "该职位不在本校渠道，请联系省级管理员下架"
    return None


def suspend_refusal(actor, report: FraudReport) -> str | None:
    """What the employers area would answer to a suspension (shown on the page beforehand; the
    employer service still decides when the decision is sent)."""
    from apps.employers.services import suspender_refusal

    return suspender_refusal(actor, report.employer)


def report_decide(
    *, actor, report: FraudReport, outcome: str, note: str, take_down: bool = False, suspend: bool = False,
    client_address: str = "",
) -> FraudReport:
    """School staff of the report's school, or province staff, record the outcome. Taking the
    posting down and suspending the employer go through those areas' services (their own
    permission checks decide: a school suspends only an employer it verified); the reporter is
    notified. All or nothing: a refused action leaves the report open."""
    _assert_decider(actor, report)
    note = _clean_text(note, max_len=MAX_NOTE, field="note", required_message="请填写处理说明（举报人可见）")
    take_down, suspend = _actions(outcome, take_down=take_down, suspend=suspend)
    refusal = take_down_refusal(actor, report) if take_down else None
    if refusal:
        raise DomainError(refusal, code="take_down_refused", fields={"take_down": refusal})
    reason = f"举报#{report.pk}（{reason_label(report.reason)}）：{note}"[:300]
    with transaction.atomic():
        locked = (FraudReport.objects.select_for_update(of=("self",))
                  .select_related("school", "reporter", "employer", "posting").get(pk=report.pk))
        _assert_decider(actor, locked)  # the row as it is now
        done = []
        if take_down:
            posting = Posting.objects.get(pk=locked.posting_id)
            if posting.status != PostingStatus.CLOSED:  # a closed posting is already out of the search
                from apps.jobs.services_postings import posting_take_down

                posting_take_down(actor=actor, posting=posting, reason=reason)
            done.append("下架职位")
        if suspend:
            employer = Employer.objects.get(pk=locked.employer_id)
            if employer.status != EmployerStatus.SUSPENDED:
                from apps.employers.services import employer_suspend

                employer_suspend(actor=actor, employer=employer, reason=reason)
            done.append("停用单位")
        locked.status = ReportStatus.CLOSED
        locked.outcome = outcome
        locked.outcome_note = note
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.save(update_fields=["status", "outcome", "outcome_note", "handled_by", "handled_at"])
        audit_record(
            actor=actor, action="report.decide",
            summary=f"处理举报#{locked.pk}：{locked.get_outcome_display()}" + (f"（{'、'.join(done)}）" if done else ""),
            target=locked, school_id=locked.school_id, graduate_id=locked.reporter_id,
            changes={"状态": [ReportStatus.OPEN.label, ReportStatus.CLOSED.label],
                     "处理结果": ["", locked.get_outcome_display()], "处理说明": ["", note]},
            client_address=client_address,
        )
        from apps.notifications.services import notify
        from apps.reports.presenters import report_state

        state = report_state(locked, viewer_role=Role.GRADUATE)
        notify(kind="report.outcome", graduate=locked.reporter, title=f"你的举报已处理：{state.title}",
               body=state.text, link=reverse("report-detail", args=[locked.pk]))
    report.status, report.outcome, report.outcome_note = locked.status, locked.outcome, locked.outcome_note
    report.handled_by_id, report.handled_at = locked.handled_by_id, locked.handled_at
    return report
