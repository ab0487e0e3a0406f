"""职位发布与审核 (C9): the one door for every change of a posting.

guard → write → audit entry, in one transaction. Employer pages, staff pages, the API, the
fraud-report desk (take down) and the expiry job all call these functions.

Employers act only on their own postings (`visible_to(Posting, actor)`: the main account and
approved sub-accounts carry `employer_id`); staff only on postings of their channel."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import acting_employer, require_role
from apps.accounts.scoping import visible_to
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.core.text import mask_phone, normalise
from apps.employers.rules import employer_channel_refusal
from apps.graduates.fields import LANDLINE, MOBILE
from apps.jobs.education import education_choices, education_mask
from apps.jobs.models import ClosedReason, Posting, PostingPlace, PostingStatus
from apps.jobs.salary import SALARY_CEILING
from apps.jobs.search import posting_index_columns
from apps.organisations.models import Major, School
from apps.reference.selectors import code_labels, division_ref

S = PostingStatus
REASON_MAX = 300
STAFF_ROLES = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
TITLE_MAX = 60
DESCRIPTION_MAX = 5000
MAJORS_TEXT_MAX = 300
OPENINGS_MAX = 9999
PLACES_MAX = 5
MAJORS_MAX = 50
DEADLINE_MAX_DAYS = 365
PROVINCE_CHANNEL = "province"
# a change to any of these sends a published posting back to review; contact and openings do not
MATERIAL_FIELDS = ("title", "category_code", "description", "salary_min", "salary_max", "education_codes",
                   "majors_text", "majors", "places", "deadline", "channel")
FIELD_LABELS = {"title": "职位名称", "category_code": "职位类别", "openings": "招聘人数", "education_codes": "学历要求",
                "majors_text": "专业要求", "majors": "专业目录", "places": "工作地点", "salary_min": "月薪下限",
                "salary_max": "月薪上限", "description": "职位描述", "contact_name": "联系人",
                "contact_phone": "联系电话", "deadline": "截止日期", "channel": "发布渠道"}
CLOSE_REASONS = {ClosedReason.FILLED.value: ClosedReason.FILLED, ClosedReason.WITHDRAWN.value: ClosedReason.WITHDRAWN}


# --- helpers ---------------------------------------------------------------------------

def _locked(posting: Posting, actor) -> Posting:
    """The posting re-read under a row lock, through what the actor may see (a stranger's
    posting looks like a missing one)."""
    try:
        return visible_to(Posting, actor).select_for_update().select_related("employer").get(pk=posting.pk)
    except Posting.DoesNotExist:
        raise NotFound() from None


def _reason(reason: str, *, required_message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(required_message, code="reason_required", fields={"reason": required_message})
    if len(reason) > REASON_MAX:
        raise DomainError(f"原因不超过{REASON_MAX}字", fields={"reason": f"不超过{REASON_MAX}字"})
    return reason


def _audit(actor, posting: Posting, action: str, summary: str, changes: dict | None = None) -> None:
    audit_record(actor=actor, action=action, summary=f"职位“{posting.title}”{summary}", target=posting,
                 school_id=posting.channel_school_id, changes=changes or {})


def _copy_back(target: Posting, source: Posting) -> None:
    for field in ("status", "closed_reason", "review_reason", "reviewed_by_id", "reviewed_at", "submitted_at",
                  "published_at", "updated_at"):
        setattr(target, field, getattr(source, field))


def _notify_employer(posting: Posting, *, title: str, body: str = "") -> None:
    from django.urls import reverse

    from apps.notifications.services import notify

    notify(kind="posting.review", title=title, body=body, employer=posting.employer,
           link=reverse("employer-posting-detail", args=[posting.pk]))


def _today() -> date:
    return timezone.localdate()


_employer_of = acting_employer


def channel_options(employer) -> list[tuple[str, str]]:
    """The channels the rules let this employer post in: (value, label); value "province" or
    a school id. Empty for an employer that may not post at all."""
    if employer_channel_refusal(employer, None) is None:
        options = [(PROVINCE_CHANNEL, "全省渠道（由省级主管部门审核）")]
    else:
        options = []
    if employer is None or employer.verifier_province_id is None:
        return options
    schools = School.objects.filter(province_id=employer.verifier_province_id).only("id", "name", "province_id")
    if employer.verifier_school_id is not None:
        schools = schools.filter(pk=employer.verifier_school_id)
    for school in schools.order_by("name", "id"):
        if employer_channel_refusal(employer, school) is None:
            options.append((str(school.pk), f"{school.name}渠道（由该校审核）"))
    return options


def channel_value(posting: Posting) -> str:
    return str(posting.channel_school_id) if posting.channel_school_id else PROVINCE_CHANNEL


def _as_list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _int(value, field: str, label: str, errors: dict) -> int | None:
    text = normalise(str(value)) if value is not None else ""
    if not text:
        errors[field] = f"请填写{label}"
        return None
    if not text.isdigit() or len(text) > 9:
        errors[field] = f"{label}请填写整数"
        return None
    return int(text)


def _text(data: dict, field: str, label: str, max_len: int, errors: dict, *, required: bool = True) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        errors[field] = f"请填写{label}"
    elif len(value) > max_len:
        errors[field] = f"{label}不超过{max_len}字（现为{len(value)}字）"
    return value


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(normalise(str(value or "")))
    except ValueError:
        return None


def _clean(employer, data: dict[str, Any], today: date) -> dict[str, Any]:
    """Every field checked; all problems reported at once, in Chinese, per field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    out["title"] = _text(data, "title", "职位名称", TITLE_MAX, errors)
    category = str(data.get("category_code") or "").strip()
    if not category:
        errors["category_code"] = "请选择职位类别"
    elif category not in code_labels("position_category"):
        errors["category_code"] = "职位类别不在代码表中，请从列表中选择"
    out["category_code"] = category
    openings = _int(data.get("openings"), "openings", "招聘人数", errors)
    if openings is not None and not 1 <= openings <= OPENINGS_MAX:
        errors["openings"] = f"招聘人数应在1到{OPENINGS_MAX}之间"
    out["openings"] = openings
    allowed = [c for c, _ in education_choices()]
    codes = [str(c).strip() for c in _as_list(data.get("education_codes")) if str(c).strip()]
    if any(c not in allowed for c in codes):
        errors["education_codes"] = "学历要求不在代码表中，请从列表中选择"
    codes = [c for c in allowed if c in codes]  # table order, no duplicates
    out["education_codes"], out["education_mask"] = codes, education_mask(codes)
    out["majors_text"] = _text(data, "majors_text", "专业要求", MAJORS_TEXT_MAX, errors, required=False)
    places = []
    for raw in _as_list(data.get("place_codes")):
        code = normalise(str(raw))
        if code and code not in places:
            places.append(code)
    if not places:
        errors["place_codes"] = "请选择至少一个工作地点（区县）"
    elif len(places) > PLACES_MAX:
        errors["place_codes"] = f"工作地点最多{PLACES_MAX}个"
    else:
        for code in places:
            ref = division_ref(code)
            if ref is None or not ref.is_county_level or not ref.is_current or ref.code != code:
                errors["place_codes"] = "工作地点请选到区县一级"
                break
    out["places"] = sorted(places)
    low = _int(data.get("salary_min"), "salary_min", "月薪下限", errors)
    high = _int(data.get("salary_max"), "salary_max", "月薪上限", errors)
    for field, amount, label in (("salary_min", low, "月薪下限"), ("salary_max", high, "月薪上限")):
        if amount is not None and field not in errors and amount > SALARY_CEILING:
            errors[field] = f"{label}不能超过{SALARY_CEILING}元"
    if low is not None and high is not None and "salary_min" not in errors and low > high:
        errors["salary_min"] = "月薪下限不能高于上限"
    out["salary_min"], out["salary_max"] = low, high
    out["description"] = _text(data, "description", "职位描述", DESCRIPTION_MAX, errors)
    out["contact_name"] = _text(data, "contact_name", "联系人", 50, errors)
    phone = normalise(data.get("contact_phone"))
    if not phone:
        errors["contact_phone"] = "请填写联系电话"
    elif not (MOBILE.match(phone) or LANDLINE.match(phone)):
        errors["contact_phone"] = "请输入正确的手机号码或固定电话"
    out["contact_phone"] = phone
    deadline = _date(data.get("deadline"))
    if deadline is None:
        errors["deadline"] = "请填写截止日期（年-月-日）"
    elif deadline < today:
        errors["deadline"] = "截止日期不能早于今天"
    elif deadline > today + timedelta(days=DEADLINE_MAX_DAYS):
        errors["deadline"] = f"截止日期不能晚于一年后（{today + timedelta(days=DEADLINE_MAX_DAYS):%Y-%m-%d}）"
    out["deadline"] = deadline
    channel = str(data.get("channel") or "").strip()
    school = None
    if not channel:
        errors["channel"] = "请选择发布渠道"
    elif channel != PROVINCE_CHANNEL:
        school = School.objects.filter(pk=int(channel)).first() if channel.isdigit() else None
        if school is None:
            errors["channel"] = "发布渠道不存在"
    if "channel" not in errors:
        refusal = employer_channel_refusal(employer, school)
        if refusal is not None:
            errors["channel"] = refusal
    out["channel"], out["channel_school"] = channel, school
    major_ids = []
    for raw in _as_list(data.get("major_ids")):
        text = normalise(str(raw))
        if not text.isdigit():
            errors["major_ids"] = "专业选择有误"
            break
        if int(text) not in major_ids:
            major_ids.append(int(text))
    if major_ids and "major_ids" not in errors and "channel" not in errors:
        if school is None:
            errors["major_ids"] = "全省渠道的职位不能选择院校专业目录，请在专业要求中填写"
        elif len(major_ids) > MAJORS_MAX:
            errors["major_ids"] = f"专业最多选择{MAJORS_MAX}个"
        elif Major.objects.filter(school=school, pk__in=major_ids).count() != len(major_ids):
            errors["major_ids"] = "所选专业不属于该院校"
    out["majors"] = sorted(major_ids)
    if errors:
        first = next(iter(errors.values()))
        raise DomainError(f"请修改后再保存：{first}" if len(errors) == 1 else f"有{len(errors)}处需要修改：{first}",
                          code="invalid", fields=errors)
    return out


def _current(posting: Posting) -> dict[str, Any]:
    if posting.pk is None:
        return {}
    return {
        "title": posting.title, "category_code": posting.category_code, "openings": posting.openings,
        "education_codes": list(posting.education_codes), "majors_text": posting.majors_text,
        "majors": sorted(posting.majors.values_list("pk", flat=True)),
        "places": sorted(posting.places.values_list("county_code", flat=True)),
        "salary_min": posting.salary_min, "salary_max": posting.salary_max, "description": posting.description,
        "contact_name": posting.contact_name, "contact_phone": posting.contact_phone, "deadline": posting.deadline,
        "channel": channel_value(posting),
    }


def _masked(field: str, value):
    if field == "contact_phone":
        return mask_phone(value)
    if field == "description":
        return f"（{len(value or '')}字）"
    return value


def posting_save(*, actor, posting: Posting | None = None, data: dict[str, Any]) -> Posting:
    """Create a draft (posting None) or edit one of the employer's postings. A material edit
    (MATERIAL_FIELDS) of a published posting sends it back to 待审核; other edits keep it
    published. A closed posting is not edited."""
    employer = _employer_of(actor)
    refusal = employer_channel_refusal(employer, None) if employer.verifier_school_id is None else (
        employer_channel_refusal(employer, employer.verifier_school))
    if refusal is not None:
        raise DomainError(refusal, code="employer_not_allowed")
    clean = _clean(employer, data, _today())
    with transaction.atomic():
        if posting is None:
            locked = Posting(employer=employer)
        else:
            locked = _locked(posting, actor)
            if locked.status == S.CLOSED:
                raise DomainError("已下线的职位不能修改", code="closed")
        before = _current(locked)
        school = clean["channel_school"]
        for field in ("title", "category_code", "openings", "education_codes", "education_mask", "majors_text",
                      "salary_min", "salary_max", "description", "contact_name", "contact_phone", "deadline"):
            setattr(locked, field, clean[field])
        locked.channel_school = school
        locked.channel_province_id = school.province_id if school is not None else employer.verifier_province_id
        locked.industry_code, locked.nature_code = employer.industry_code or "", employer.nature_code or ""
        locked.employer = employer
        locked.search_title, locked.search_body = posting_index_columns(locked)
        after = {key: clean[key] for key in FIELD_LABELS}
        changed = [key for key in FIELD_LABELS if before.get(key) != after[key]] if before else list(FIELD_LABELS)
        material = [key for key in changed if key in MATERIAL_FIELDS]
        status_before = locked.get_status_display() if before else ""
        if before and locked.status == S.PUBLISHED and material:
            locked.status = S.PENDING
            locked.submitted_at = timezone.now()
        locked.save()
        if "majors" in changed:
            locked.majors.set(clean["majors"])
        if "places" in changed:
            PostingPlace.objects.filter(posting=locked).delete()
            PostingPlace.objects.bulk_create([
                PostingPlace(posting=locked, county_code=code, city_code=code[:4], province_code=code[:2])
                for code in clean["places"]])
        changes = {FIELD_LABELS[key]: [_masked(key, before.get(key)), _masked(key, after[key])]
                   for key in changed} if before else {}
        if before and locked.get_status_display() != status_before:
            changes["状态"] = [status_before, locked.get_status_display()]
        if not before:
            _audit(actor, locked, "posting.create", "已创建（草稿）")
        elif changed:
            summary = "已修改，重新进入审核" if (material and status_before == S.PUBLISHED.label) else "已修改"
            _audit(actor, locked, "posting.update", summary, changes)
    if posting is not None:
        _copy_back(posting, locked)
    return locked


def posting_submit(*, actor, posting: Posting) -> Posting:
    """提交审核: 草稿 / 已驳回 → 待审核."""
    employer = _employer_of(actor)
    with transaction.atomic():
        locked = _locked(posting, actor)
        if locked.status not in (S.DRAFT, S.REJECTED):
            raise DomainError(f"当前状态为“{locked.get_status_display()}”，不能提交审核", code="wrong_status")
        refusal = employer_channel_refusal(employer, locked.channel_school)
        if refusal is not None:
            raise DomainError(refusal, code="employer_not_allowed")
        if locked.deadline < _today():
            raise DomainError("截止日期已过，请先修改截止日期再提交", code="deadline_passed",
                              fields={"deadline": "截止日期不能早于今天"})
        before = locked.get_status_display()
        locked.status = S.PENDING
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        _audit(actor, locked, "posting.submit", "已提交审核", {"status": [before, locked.get_status_display()]})
    _copy_back(posting, locked)
    return locked


def review_refusal(actor, posting: Posting) -> str | None:
    """None when this staff member reviews this posting: the channel school's staff, or the
    province's staff for the province channel. (The presenter shows the same answer.)"""
    if actor is None or actor.role not in STAFF_ROLES:
        return "无权审核职位"
    if posting.channel_school_id is not None:
        if actor.role == Role.SCHOOL_STAFF and actor.school_id == posting.channel_school_id:
            return None
        return "该职位在院校渠道发布，由该院校审核"
    if actor.role == Role.PROVINCE_STAFF and actor.province_id == posting.channel_province_id:
        return None
    return "该职位在全省渠道发布，由省级主管部门审核"


def posting_review(*, actor, posting: Posting, approve: bool, reason: str = "") -> Posting:
    """审核: 待审核 → 已发布 | 已驳回 (with a reason); the employer is notified."""
    require_role(actor, STAFF_ROLES)
    with transaction.atomic():
        locked = _locked(posting, actor)
        refusal = review_refusal(actor, locked)  # who may review comes before what they typed
        if refusal is not None:
            raise Forbidden(refusal)
        reason = (reason or "").strip()
        if not approve:
            reason = _reason(reason, required_message="驳回时请填写原因")
        elif len(reason) > REASON_MAX:
            raise DomainError(f"原因不超过{REASON_MAX}字", fields={"reason": f"不超过{REASON_MAX}字"})
        if locked.status != S.PENDING:
            raise DomainError(f"当前状态为“{locked.get_status_display()}”，不能审核", code="wrong_status")
        now = timezone.now()
        before = locked.get_status_display()
        if approve:
            employer_refusal = employer_channel_refusal(locked.employer, locked.channel_school)
            if employer_refusal is not None:
                raise DomainError(f"不能发布：{employer_refusal}", code="employer_not_allowed")
            locked.status, locked.published_at, locked.review_reason = S.PUBLISHED, now, ""
        else:
            locked.status, locked.review_reason = S.REJECTED, reason
        locked.reviewed_by, locked.reviewed_at = actor, now
        locked.save(update_fields=["status", "published_at", "review_reason", "reviewed_by", "reviewed_at",
                                   "updated_at"])
        _audit(actor, locked, "posting.review", "审核通过，已发布" if approve else f"被驳回：{reason}",
               {"status": [before, locked.get_status_display()]})
        if approve:
            _notify_employer(locked, title=f"职位“{locked.title}”已通过审核并发布")
        else:
            _notify_employer(locked, title=f"职位“{locked.title}”未通过审核", body=f"驳回原因：{reason}")
    _copy_back(posting, locked)
    return locked


def posting_close(*, actor, posting: Posting, reason: str) -> Posting:
    """单位下线职位: 已招满 (filled) or 撤下 (withdrawn), from any state but closed."""
    _employer_of(actor)
    closed_reason = CLOSE_REASONS.get(str(reason or ""))
    if closed_reason is None:
        raise DomainError("请选择下线原因：已招满或撤下职位", code="reason_required",
                          fields={"reason": "请选择下线原因"})
    with transaction.atomic():
        locked = _locked(posting, actor)
        if locked.status == S.CLOSED:
            raise DomainError("该职位已下线", code="already_closed")
        before = locked.get_status_display()
        locked.status, locked.closed_reason = S.CLOSED, closed_reason
        locked.save(update_fields=["status", "closed_reason", "updated_at"])
        _audit(actor, locked, "posting.close", f"已下线（{closed_reason.label}）",
               {"status": [before, locked.get_status_display()]})
    _copy_back(posting, locked)
    return locked


def postings_expire(*, now: datetime | None = None) -> int:
    """Published postings past their deadline → 已下线 (已过截止日期). Idempotent: a second
    run finds nothing. Run hourly (apps/core/schedule.py, manage.py expire_postings)."""
    today = timezone.localdate(now) if now is not None else _today()
    expired = 0
    due = Posting.objects.filter(status=S.PUBLISHED, deadline__lt=today).order_by("id")
    for posting in due.select_related("employer").only("id", "title", "status", "channel_school_id",
                                                        "employer__id", "employer__name").iterator(chunk_size=500):
        with transaction.atomic():
            changed = Posting.objects.filter(pk=posting.pk, status=S.PUBLISHED, deadline__lt=today).update(
                status=S.CLOSED, closed_reason=ClosedReason.EXPIRED, updated_at=timezone.now())
            if not changed:
                continue
            _audit(None, posting, "posting.expire", "已到截止日期，自动下线",
                   {"status": [S.PUBLISHED.label, S.CLOSED.label]})
            _notify_employer(posting, title=f"职位“{posting.title}”已到截止日期，已自动下线")
            expired += 1
    return expired


# --- staff: take down (举报处理 calls this too) -----------------------------------------

def posting_take_down(*, actor, posting: Posting, reason: str) -> Posting:
    """下架: staff of the posting's channel (the school for its channel; the province for any
    channel of the province) take a posting out of the search: CLOSED / TAKEN_DOWN, with the
    reason shown to the employer, who is notified."""
    require_role(actor, STAFF_ROLES)
    with transaction.atomic():
        locked = _locked(posting, actor)
        reason = _reason(reason, required_message="请填写下架原因")
        if locked.status == S.CLOSED:
            raise DomainError(f"该职位已下线（{locked.get_closed_reason_display()}），无需再下架", code="already_closed")
        before = locked.get_status_display()
        locked.status = S.CLOSED
        locked.closed_reason = ClosedReason.TAKEN_DOWN
        locked.review_reason = reason
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "closed_reason", "review_reason", "reviewed_by", "reviewed_at",
                                   "updated_at"])
        _audit(actor, locked, "posting.take_down", f"被下架：{reason}",
               {"status": [before, locked.get_status_display()]})
        _notify_employer(locked, title=f"职位“{locked.title}”已被管理员下架", body=f"下架原因：{reason}")
    _copy_back(posting, locked)
    return locked
