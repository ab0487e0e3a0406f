"""毕业去向登记: the one door for every change and review transition of a destination.

guard → write → audit entry. The page, the API, batch review and online signing (C5)
all call these functions."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden
from apps.core.images import check_image_count, image_content_file, process_image
from apps.core.text import mask_phone, normalise
from apps.destinations import catalog
from apps.destinations.models import (
    LOCKED_STATUSES,
    Destination,
    DestinationSource,
    DestinationStatus,
    ProofImage,
)
from apps.graduates.fields import LANDLINE, MOBILE, clean_date
from apps.graduates.models import Graduate
from apps.organisations.policy import policy_for
from apps.organisations.validators import clean_credit_code
from apps.registry.outbox import AGREEMENT, DESTINATION, TERMINATION, registry_enqueue

S = DestinationStatus
_MAX_LEN = {"unit_name": 200, "unit_address": 200, "unit_contact": 50, "description": 500, "study_school": 200,
            "study_major": 200, "country_region": 100, "abroad_school_cn": 200, "abroad_school_foreign": 200,
            "abroad_major_cn": 200, "abroad_major_foreign": 200}
_FOREIGN = re.compile(r"^[A-Za-z0-9À-ɏ .,'&()\-/]+$")


# --- guards ---------------------------------------------------------------------------

def _today() -> date:
    return timezone.localdate()


def _assert_graduate_may_change(actor, graduate: Graduate, destination: Destination | None, today: date) -> None:
    if actor is None or actor.role != Role.GRADUATE or actor.graduate_id != graduate.pk:
        raise Forbidden("只有毕业生本人可以登记毕业去向")
    refusal = graduate_change_refusal(graduate, destination, today)
    if refusal is not None:
        raise refusal


def graduate_change_refusal(graduate: Graduate, destination: Destination | None, today: date) -> DomainError | None:
    """Why the graduate may not change the record now (None when they may): the school's
    cut-off (学校设置), online signing, review locks. The guard above raises it; the state
    presenter shows it, so the page never disagrees with what a save would do."""
    cutoff = policy_for(graduate.school, graduate.cohort).destination_cutoff_on
    if today > cutoff:
        return DomainError(
            f"已过毕业去向登记变更截止日期（{cutoff:%Y年%m月%d日}），不能再修改；如确需变更请联系学校就业部门",
            code="after_cutoff",
        )
    if destination is None:
        return None
    if destination.source == DestinationSource.ONLINE_SIGNING:
        return DomainError("已网签的毕业生毕业去向不可修改；如需变更请先办理网络解约", code="online_signed")
    if destination.status in LOCKED_STATUSES:
        return DomainError(
            f"就业信息状态为“{destination.get_status_display()}”，不能修改；如有错误请联系院系或学校", code="locked"
        )
    return None


def _reviewer_scope(actor, destination: Destination) -> str:
    if actor is not None and actor.role == Role.COLLEGE_STAFF and actor.college_id == destination.college_id:
        return "college"
    if actor is not None and actor.role == Role.SCHOOL_STAFF and actor.school_id == destination.school_id:
        return "school"
    raise Forbidden()


# --- field validation -------------------------------------------------------------------

def _clean_fields(category: catalog.Category, data: dict[str, Any]) -> dict[str, Any]:
    from apps.reference.selectors import code_labels, county_division

    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {name: None if name in ("unit_division", "sign_date") else "" for name in catalog.ALL_FIELDS}
    cleaned["credit_code_flagged"] = False
    for form_field in category.fields:
        name = form_field.field
        raw = data.get(name)
        text = "" if raw is None else str(raw).strip()
        if not text:
            if form_field.required:
                errors[name] = f"请填写{form_field.label}"
            continue
        try:
            if name == "credit_code":
                cleaned[name], cleaned["credit_code_flagged"] = clean_credit_code(text)
            elif name in catalog.CODE_FIELDS:
                table, scheme = catalog.CODE_FIELDS[name]
                code = normalise(text)
                if code not in code_labels(table, scheme):
                    raise DomainError(f"{form_field.label}不是有效的选项")
                cleaned[name] = code
            elif name == "unit_division":
                division = county_division(normalise(text))
                if division is None:
                    raise DomainError(f"{form_field.label}须选择到具体的区县")
                cleaned[name] = division
            elif name == "sign_date":
                cleaned[name] = clean_date(text, None)
            elif name == "unit_contact_phone":
                phone = normalise(text)
                if not (MOBILE.match(phone) or LANDLINE.match(phone)):
                    raise DomainError("请输入正确的手机号码或固定电话")
                cleaned[name] = phone
            elif name in ("abroad_school_foreign", "abroad_major_foreign"):
                if not _FOREIGN.match(text):
                    raise DomainError(f"{form_field.label}请使用外文填写")
                cleaned[name] = text[: _MAX_LEN[name]]
            else:
                if len(text) > _MAX_LEN.get(name, 200):
                    raise DomainError(f"{form_field.label}不超过{_MAX_LEN.get(name, 200)}个字")
                cleaned[name] = text
        except DomainError as exc:
            errors[name] = exc.message
    if errors:
        first = next(iter(errors))
        raise DomainError(errors[first], code="invalid", fields=errors)
    return cleaned


def _display(destination: Destination, name: str) -> str:
    value = getattr(destination, name)
    if name == "unit_division":
        return value.full_name if value else ""
    if name == "unit_contact_phone":
        return mask_phone(value)
    return "" if value in (None, "") else str(value)


def _audit(actor, destination: Destination, action: str, summary: str, changes=None, client_address: str = ""):
    audit_record(
        actor=actor, action=action, summary=summary, target=destination, school_id=destination.school_id,
        college_id=destination.college_id, graduate_id=destination.graduate_id, changes=changes or {},
        client_address=client_address,
    )


# --- graduate side ----------------------------------------------------------------------

def destination_save(
    *, actor, graduate: Graduate, category_code: str, data: dict[str, Any], client_address: str = "",
    today: date | None = None,
) -> Destination:
    """Save the graduate's destination as a draft (the form 保存). Fields outside the
    category's field set are cleared, so switching category never leaves stale data."""
    today = today or _today()
    category = catalog.category(normalise(category_code))
    if category is None or not category.selectable:
        raise DomainError("请选择有效的毕业去向", code="invalid_category", fields={"category_code": "请选择"})
    cleaned = _clean_fields(category, data)
    with transaction.atomic():
        # the school comes with the locked row (its policy decides the cut-off); only the
        # graduate's row is locked
        locked_graduate = (Graduate.objects.select_for_update(of=("self",)).select_related("school")
                           .get(pk=graduate.pk))
        # its division comes along: the audit entry's before/after shows the division's name
        destination = Destination.objects.select_related("unit_division").filter(graduate=locked_graduate).first()
        _assert_graduate_may_change(actor, locked_graduate, destination, today)
        if destination is not None and destination.status == S.SUBMITTED:
            # like the proof images: a submitted record waits for its review unchanged
            raise DomainError("已提交待审核，不能修改；如需修改请联系院系退回", code="submitted")
        created = destination is None
        if created:
            destination = Destination(graduate=locked_graduate, school_id=locked_graduate.school_id,
                                      college_id=locked_graduate.college_id)
        before = {name: _display(destination, name) for name in catalog.ALL_FIELDS}
        before_category = destination.category_code
        destination.category_code = category.code
        for name, value in cleaned.items():
            setattr(destination, name, value)
        if destination.status != S.RETURNED:
            destination.status = S.DRAFT
        destination.source = DestinationSource.MANUAL
        destination.save()
        registry_enqueue(graduate=locked_graduate, reason=DESTINATION, actor=actor)  # 全国登记系统报送
        changes = {name: [before[name], _display(destination, name)] for name in catalog.ALL_FIELDS
                   if before[name] != _display(destination, name)}
        if before_category != category.code:
            changes["category"] = [before_category, f"{category.code} {category.name}"]
        _audit(actor, destination, "destination.save", f"登记毕业去向：{category.name}（未提交）", changes, client_address)
    return destination


def destination_add_image(*, actor, graduate: Graduate, uploaded, client_address: str = "",
                          today: date | None = None) -> ProofImage:
    today = today or _today()
    processed = process_image(uploaded)  # refuses fakes, oversize and pixel bombs before any write
    with transaction.atomic():
        destination = Destination.objects.select_for_update().filter(graduate_id=graduate.pk).first()
        if destination is None:
            raise DomainError("请先选择毕业去向并保存，再上传证明材料", code="no_destination")
        _assert_graduate_may_change(actor, graduate, destination, today)
        if destination.status == S.SUBMITTED:
            raise DomainError("已提交待审核，不能再修改材料", code="submitted")
        check_image_count(destination.images.count())
        content = image_content_file(processed)
        name = default_storage.save(f"proof/{destination.school_id}/{content.name}", content)
        image = ProofImage.objects.create(destination=destination, file=name, width=processed.width,
                                          height=processed.height, size=processed.size,
                                          original_name=processed.original_name)
        _audit(actor, destination, "destination.image_add", "上传就业证明材料",
               {"images": [destination.images.count() - 1, destination.images.count()]}, client_address)
    return image


def destination_delete_image(*, actor, image: ProofImage, client_address: str = "", today: date | None = None) -> None:
    today = today or _today()
    with transaction.atomic():
        destination = Destination.objects.select_for_update().get(pk=image.destination_id)
        _assert_graduate_may_change(actor, destination.graduate, destination, today)
        if destination.status == S.SUBMITTED:
            raise DomainError("已提交待审核，不能删除材料", code="submitted")
        name = image.file.name
        image.delete()
        transaction.on_commit(lambda: default_storage.delete(name))
        _audit(actor, destination, "destination.image_delete", "删除就业证明材料", {}, client_address)


def destination_submit(*, actor, graduate: Graduate, client_address: str = "", today: date | None = None) -> Destination:
    today = today or _today()
    with transaction.atomic():
        destination = Destination.objects.select_for_update().filter(graduate_id=graduate.pk).first()
        if destination is None:
            raise DomainError("请先登记毕业去向", code="no_destination")
        _assert_graduate_may_change(actor, graduate, destination, today)
        if destination.status == S.SUBMITTED:
            raise DomainError("已提交，请等待审核", code="already_submitted")
        category = catalog.category(destination.category_code)
        if category.proof_required and not destination.images.exists():
            raise DomainError(f"请上传就业证明材料：{category.proof}", code="proof_missing",
                              fields={"images": "请上传证明材料"})
        destination.status = S.SUBMITTED
        destination.submitted_at = timezone.now()
        destination.return_reason = ""
        destination.save()
        registry_enqueue(graduate=destination.graduate_id, reason=DESTINATION, actor=actor)
        _audit(actor, destination, "destination.submit", f"提交毕业去向：{category.name}",
               {"status": ["", S.SUBMITTED.label]}, client_address)
    return destination


# --- review (初审 by the college, 终审 by the school) ------------------------------------

def destination_review(*, actor, destination: Destination, approve: bool, reason: str = "",
                       client_address: str = "") -> Destination:
    """One door for every review transition:
    submitted → college_approved | returned   (college staff)
    college_approved → school_approved | returned   (school staff)"""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError("退回时请填写原因", code="reason_required", fields={"reason": "请填写退回原因"})
    if len(reason) > 300:
        raise DomainError("原因不超过300字", fields={"reason": "不超过300字"})
    with transaction.atomic():
        locked = Destination.objects.select_for_update().get(pk=destination.pk)
        level = _reviewer_scope(actor, locked)
        expected = S.SUBMITTED if level == "college" else S.COLLEGE_APPROVED
        if locked.status != expected:
            if level == "school" and locked.status == S.SUBMITTED:
                raise DomainError("该记录尚未经院系初审，学校不能终审", code="college_review_first")
            raise DomainError(f"当前状态为“{locked.get_status_display()}”，不能审核", code="wrong_status")
        now = timezone.now()
        before = locked.get_status_display()
        if approve:
            locked.status = S.COLLEGE_APPROVED if level == "college" else S.SCHOOL_APPROVED
        else:
            locked.status = S.RETURNED
            locked.return_reason = reason
        if level == "college":
            locked.college_reviewed_by, locked.college_reviewed_at = actor, now
        else:
            locked.school_reviewed_by, locked.school_reviewed_at = actor, now
        locked.save()
        registry_enqueue(graduate=locked.graduate_id, reason=DESTINATION, actor=actor)
        from apps.destinations.signals import destination_reviewed

        destination_reviewed.send(sender=Destination, destination=locked, actor=actor, approved=approve)
        verb = ("初审通过" if level == "college" else "审核通过") if approve else f"退回：{reason}"
        _audit(actor, locked, "destination.review", f"毕业去向{verb}", {"status": [before, locked.get_status_display()]},
               client_address)
    destination.status, destination.return_reason = locked.status, locked.return_reason
    return locked


def destination_batch_approve(*, actor, destinations: list[Destination], client_address: str = "") -> dict:
    """批量通过: each record goes through the same door; failures are reported, not fatal."""
    approved, refused = [], {}
    for destination in destinations:
        try:
            destination_review(actor=actor, destination=destination, approve=True, client_address=client_address)
            approved.append(destination.pk)
        except DomainError as exc:
            refused[destination.pk] = exc.message
    return {"approved": approved, "refused": refused}


# --- online signing (C5) hooks: the agreement registers and resets the destination --------

SIGNED_UNIT_FIELDS = ("unit_name", "credit_code", "credit_code_flagged", "unit_nature_code", "industry_code",
                      "unit_division_id", "unit_address", "position_category_code", "unit_contact",
                      "unit_contact_phone")


def destination_register_from_agreement(*, actor, agreement, client_address: str = "") -> Destination:
    """After acceptance the destination becomes 签就业协议形式就业 with the unit's data,
    submitted for review (签约成功，待学校审核). Called inside the acceptance transaction."""
    invitation = agreement.invitation
    destination = Destination.objects.select_for_update().filter(graduate_id=agreement.graduate_id).first()
    if destination is None:
        destination = Destination(graduate_id=agreement.graduate_id, school_id=agreement.school_id,
                                  college_id=agreement.college_id)
    else:
        for name in catalog.ALL_FIELDS:
            setattr(destination, name, None if name in ("unit_division", "sign_date") else "")
        destination.images.all().delete()
    destination.category_code = catalog.online_signing_category_code()
    destination.source = DestinationSource.ONLINE_SIGNING
    destination.unit_name = invitation.unit_name
    destination.credit_code = invitation.credit_code
    destination.credit_code_flagged = invitation.credit_code_flagged
    destination.unit_nature_code = invitation.unit_nature_code
    destination.industry_code = invitation.industry_code
    destination.unit_division_id = invitation.unit_division_id
    destination.unit_address = invitation.unit_address
    destination.position_category_code = invitation.position_category_code
    destination.sign_date = timezone.localdate(agreement.accepted_at)
    destination.unit_contact = invitation.contact_person
    destination.unit_contact_phone = invitation.contact_phone
    destination.status = S.SUBMITTED
    destination.submitted_at = agreement.accepted_at
    destination.return_reason = ""
    destination.college_reviewed_by = destination.school_reviewed_by = None
    destination.college_reviewed_at = destination.school_reviewed_at = None
    destination.save()
    # the one entry of acceptance_confirm (网络签约), written inside its transaction
    registry_enqueue(graduate=destination.graduate_id, reason=AGREEMENT, actor=actor)
    _audit(actor, destination, "destination.signed", f"网络签约自动登记毕业去向：{invitation.unit_name}（协议{agreement.number}）",
           {"category": ["", catalog.online_signing_category_code()]}, client_address)
    return destination


def destination_correct_signed_unit(*, actor, destination: Destination, changes: dict[str, Any],
                                    client_address: str = "") -> Destination:
    """A review return of an online-signed destination asks for corrections of the unit's
    data (typos, industry, missing contact); the agreement itself stands. The correction
    goes back to the college for 初审."""
    category = catalog.category(destination.category_code)
    if destination.source != DestinationSource.ONLINE_SIGNING or destination.status != S.RETURNED:
        raise DomainError("只有被退回的网签去向可以更正单位信息", code="not_returned")
    current = {f.field: getattr(destination, f.field) for f in category.fields}
    current["unit_division"] = destination.unit_division_id
    current.update({k: v for k, v in changes.items() if k in current})
    cleaned = _clean_fields(category, current)
    with transaction.atomic():
        locked = Destination.objects.select_for_update().get(pk=destination.pk)
        before = {name: _display(locked, name) for name in catalog.ALL_FIELDS}
        for name in category.field_names:
            setattr(locked, name, cleaned[name])
        locked.credit_code_flagged = cleaned["credit_code_flagged"]
        locked.status = S.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save()
        registry_enqueue(graduate=locked.graduate_id, reason=DESTINATION, actor=actor)
        diff = {n: [before[n], _display(locked, n)] for n in catalog.ALL_FIELDS if before[n] != _display(locked, n)}
        _audit(actor, locked, "destination.signed_correct", "用人单位更正网签单位信息并重新提交", diff, client_address)
    return locked


def destination_reset_after_termination(*, actor, graduate_id: int, client_address: str = "") -> Destination:
    """On an approved termination the destination returns to 待就业 so the graduate may sign again."""
    destination = Destination.objects.select_for_update().get(graduate_id=graduate_id)
    for name in catalog.ALL_FIELDS:
        setattr(destination, name, None if name in ("unit_division", "sign_date") else "")
    destination.credit_code_flagged = False
    destination.category_code = catalog.after_termination_category_code()
    destination.source = DestinationSource.SYSTEM
    destination.status = S.DRAFT
    destination.submitted_at = None
    destination.return_reason = ""
    destination.save()
    # the one entry of an approved termination_review (解约), written inside its transaction
    registry_enqueue(graduate=graduate_id, reason=TERMINATION, actor=actor)
    _audit(actor, destination, "destination.reset", "解约后毕业去向恢复为待就业",
           {"category": ["", catalog.after_termination_category_code()]}, client_address)
    return destination
