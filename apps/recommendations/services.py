"""The doors of 就业推荐表 (C10): the graduate asks for a form, the college (college staff of the
graduate's college, or school staff) writes its 院系推荐意见 and issues it, and staff may void an
issued form. An issued form is locked: nothing here edits it; a new opinion is a reissue, which
voids the old form in the same transaction ("已重新签发", replaced_by the new one).

The PDF is rendered and signed synchronously, before the issuing transaction (about a second):
the college hands the form over right away, and there is no background job to lose — if the
transaction then fails, the stored file is deleted and nothing was issued. Each door checks who
acts, runs in one transaction and leaves an audit entry."""

from __future__ import annotations

import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, acting_graduate, require_role
from apps.accounts.scoping import get_visible
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden
from apps.core.files import delete_stored_files
from apps.graduates.models import Graduate
from apps.notifications.services import notify
from apps.recommendations import documents
from apps.recommendations.models import RecommendationForm, RecommendationStatus

S = RecommendationStatus
MAX_OPINION = 500
MAX_REVIEWER = 50
MAX_VOID_REASON = 200
REISSUE_REASON = "已重新签发"
# "TJ" (推荐) + 10 characters: never the shape of an agreement code (10 characters), so the
# verification page knows which kind of document a code belongs to before it looks it up
CODE_PREFIX = "TJ"
CODE_LENGTH = 12
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I (as the agreement's)

MSG_WAITING = "你的就业推荐表申请正在等待院系填写，请勿重复申请"
MSG_NOT_ISSUED = "只有已签发的推荐表可以作废"


def new_verification_code() -> str:
    return CODE_PREFIX + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH - len(CODE_PREFIX)))


def is_recommendation_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and code.startswith(CODE_PREFIX)


def _graduate_of(actor) -> Graduate:
    return acting_graduate(actor, refusal="只有毕业生本人可以申请就业推荐表", related=("school", "college"))


def _text(value, *, field: str, max_len: int, required: str) -> str:
    text = (str(value) if value is not None else "").strip()
    if not text:
        raise DomainError(required, code="required", fields={field: required})
    if len(text) > max_len:
        message = f"不超过{max_len}个字（当前{len(text)}个字）"
        raise DomainError(message, code="too_long", fields={field: message})
    return text


def _opinion_date(value) -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = parse_date(str(value or "").strip())
        except ValueError:
            day = None
        if day is None:
            message = "请填写意见日期（年-月-日）"
            raise DomainError(message, code="invalid_date", fields={"opinion_date": message})
    if day > timezone.localdate():
        message = "意见日期不能晚于今天"
        raise DomainError(message, code="future_date", fields={"opinion_date": message})
    return day


def _lock_graduate(graduate_id: int) -> None:
    """Serialises the doors of one graduate's forms (the partial unique constraints are the
    last line: a race that got past this lock would fail on them)."""
    Graduate.objects.select_for_update().filter(pk=graduate_id).values_list("pk", flat=True).first()


def _audit(actor, form: RecommendationForm, action: str, summary: str, changes: dict, client_address: str) -> None:
    audit_record(actor=actor, action=action, summary=summary, target=form, school_id=form.school_id,
                 college_id=form.college_id, graduate_id=form.graduate_id, changes=changes,
                 client_address=client_address)


def recommendation_request(*, actor, client_address: str = "") -> RecommendationForm:
    """The graduate asks the college for a form (or, with one issued, for a reissue)."""
    graduate = _graduate_of(actor)
    now = timezone.now()
    try:
        with transaction.atomic():
            _lock_graduate(graduate.pk)
            if RecommendationForm.objects.filter(graduate=graduate, status=S.REQUESTED).exists():
                raise DomainError(MSG_WAITING, code="already_requested")
            reissue = RecommendationForm.objects.filter(graduate=graduate, status=S.ISSUED).exists()
            form = RecommendationForm.objects.create(
                graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id,
                status=S.REQUESTED, status_changed_at=now, requested_at=now)
            _audit(actor, form, "recommendation.request",
                   "申请重新签发就业推荐表" if reissue else "申请就业推荐表",
                   {"推荐表状态": ["", S.REQUESTED.label]}, client_address)
    except IntegrityError:  # a parallel request of the same graduate won the constraint
        raise DomainError(MSG_WAITING, code="already_requested") from None
    return form


def recommendation_issue_refusal(actor, graduate: Graduate) -> str:
    """'' when the actor may issue the graduate's form (college staff of the graduate's college,
    school staff of the school), else why not."""
    role = getattr(actor, "role", "")
    if role == Role.COLLEGE_STAFF and getattr(actor, "college_id", None) == graduate.college_id:
        return ""
    if role == Role.SCHOOL_STAFF and getattr(actor, "school_id", None) == graduate.school_id:
        return ""
    return "只有该毕业生所在院系或学校的工作人员可以签发就业推荐表"


def recommendation_issue(
    *, actor, graduate: Graduate, opinion: str, reviewer_name: str, opinion_date, client_address: str = "",
    render_pdf: bool = True,
) -> RecommendationForm:
    """Issue (签发) the graduate's form: the waiting request becomes the issued form (or a new form
    when the college issues unasked); an issued one becomes VOID, replaced by the new one.
    `render_pdf=False` (the demo data) leaves the PDF to the first download
    (documents.recommendation_pdf_ensure renders it from the stored content)."""
    require_role(actor, REVIEWERS)
    graduate = get_visible(Graduate.objects.select_related("school", "college", "major", "origin_division"),
                           actor, pk=getattr(graduate, "pk", graduate))
    refusal = recommendation_issue_refusal(actor, graduate)
    if refusal:
        raise Forbidden(refusal)
    opinion = _text(opinion, field="opinion", max_len=MAX_OPINION, required="请填写院系推荐意见")
    reviewer_name = _text(reviewer_name, field="reviewer_name", max_len=MAX_REVIEWER, required="请填写审核人姓名")
    day = _opinion_date(opinion_date)

    content = documents.recommendation_content(graduate)
    draft = RecommendationForm(graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id,
                               opinion=opinion, reviewer_name=reviewer_name, opinion_date=day,
                               verification_code=new_verification_code())
    # rendered and stored before the transaction (a second of work no lock should wait for)
    data = documents.recommendation_pdf_bytes(draft, content) if render_pdf else b""
    name = documents.store_pdf(graduate.school_id, data) if render_pdf else ""
    now = timezone.now()
    try:
        with transaction.atomic():
            _lock_graduate(graduate.pk)
            form = (RecommendationForm.objects.select_for_update()
                    .filter(graduate=graduate, status=S.REQUESTED).first()) or draft
            previous = RecommendationForm.objects.select_for_update().filter(graduate=graduate,
                                                                            status=S.ISSUED).first()
            if previous is not None:  # voided first: at most one ISSUED per graduate, at every moment
                previous.status, previous.status_changed_at = S.VOID, now
                previous.voided_at, previous.voided_by, previous.void_reason = now, actor, REISSUE_REASON
                previous.save(update_fields=["status", "status_changed_at", "voided_at", "voided_by",
                                             "void_reason"])
            form.status, form.status_changed_at = S.ISSUED, now
            form.opinion, form.reviewer_name, form.opinion_date = opinion, reviewer_name, day
            form.verification_code = draft.verification_code
            form.content = documents.content_dumps(content)
            form.pdf, form.pdf_sha256 = name, (documents.sha256(data) if render_pdf else "")
            form.issued_at, form.issued_by = now, actor
            form.save()
            if previous is not None:
                previous.replaced_by = form
                previous.save(update_fields=["replaced_by"])
                _audit(actor, previous, "recommendation.void",
                       f"就业推荐表（验证码{previous.verification_code}）因重新签发作废",
                       {"推荐表状态": [S.ISSUED.label, S.VOID.label], "作废原因": ["", REISSUE_REASON]},
                       client_address)
            _audit(actor, form, "recommendation.issue",
                   f"{'重新' if previous else ''}签发就业推荐表（验证码{form.verification_code}）",
                   {"推荐表状态": ["" if form is draft else S.REQUESTED.label, S.ISSUED.label],
                    "审核人": ["", reviewer_name], "意见日期": ["", day.isoformat()],
                    "验证码": ["", form.verification_code]}, client_address)
            notify(kind="recommendation.issued", graduate=graduate,
                   title="就业推荐表已签发" if previous is None else "就业推荐表已重新签发",
                   body=f"{graduate.college.name}已签发你的就业推荐表（验证码{form.verification_code}），"
                        "可在“我的—就业推荐表”下载PDF。" + ("此前签发的推荐表已作废。" if previous else ""),
                   link=reverse("my-recommendation"))
    except BaseException:
        delete_stored_files([name])
        raise
    return form


def recommendation_void(*, actor, form: RecommendationForm, reason: str, client_address: str = "") -> RecommendationForm:
    """Staff in scope void an issued form (e.g. issued in error); the verification page then
    says 已作废. The graduate may ask for a new one."""
    require_role(actor, REVIEWERS)
    form = get_visible(RecommendationForm, actor, pk=form.pk)
    reason = _text(reason, field="reason", max_len=MAX_VOID_REASON, required="请填写作废原因")
    with transaction.atomic():
        _lock_graduate(form.graduate_id)
        form = RecommendationForm.objects.select_for_update().get(pk=form.pk)
        if form.status != S.ISSUED:
            raise DomainError(MSG_NOT_ISSUED, code="not_issued")
        now = timezone.now()
        form.status, form.status_changed_at = S.VOID, now
        form.voided_at, form.voided_by, form.void_reason = now, actor, reason
        form.save(update_fields=["status", "status_changed_at", "voided_at", "voided_by", "void_reason"])
        _audit(actor, form, "recommendation.void", f"作废就业推荐表（验证码{form.verification_code}）",
               {"推荐表状态": [S.ISSUED.label, S.VOID.label], "作废原因": ["", reason]}, client_address)
    return form
