"""The doors of the corrections workflow (C3): file, accept, reject, withdraw. Each one checks
who acts, runs in one transaction and leaves an audit entry. Accepting a field correction
changes the record through `graduate_update`, so the new value is validated and audited by
the same door as every other change to a graduate's record."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, require_role
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden
from apps.core.files import delete_stored_files
from apps.core.images import ProcessedImage, check_image_count, image_content_file, process_image
from apps.core.workdays import add_working_days
from apps.corrections.models import (
    FIELD_KIND_GROUPS,
    GROUP_KINDS,
    Correction,
    CorrectionImage,
    CorrectionKind,
    CorrectionStatus,
)
from apps.graduates.fields import SPECS, display_value
from apps.graduates.models import Graduate

PROMISED_WORKING_DAYS = 3  # the handbook: 2-3 个工作日
MAX_EXPLANATION = 500
MAX_FREE_TEXT = 500
MAX_NOTE = 500
# Fields whose proposed value is a personal number: shown masked, and dropped once decided.
MASKED_FIELDS = frozenset({"id_number"})

MSG_DECIDED = "该反馈已处理"
MSG_DUPLICATE = "该字段已有待处理的信息反馈，请等待学校老师处理"


def _clean_text(value, *, max_len: int, field: str, required_message: str | None = None) -> str:
    text = (str(value) if value is not None else "").strip()
    if required_message and not text:
        raise DomainError(required_message, code="required", fields={field: required_message})
    if len(text) > max_len:
        message = f"不超过{max_len}个字"
        raise DomainError(message, fields={field: message})
    return text


def _cleaned_target(*, graduate: Graduate, kind: str, field: str, proposed_value) -> tuple[str, str, str, str, str]:
    """(kind, field, current display, proposed as typed, proposed display) after every check."""
    if not kind and field in SPECS and SPECS[field].group in GROUP_KINDS:
        kind = GROUP_KINDS[SPECS[field].group]  # the field tells its kind
    if kind not in CorrectionKind.values:
        raise DomainError("请选择反馈类型", code="invalid_kind", fields={"kind": "请选择反馈类型"})
    if kind not in FIELD_KIND_GROUPS:
        text = _clean_text(proposed_value, max_len=MAX_FREE_TEXT, field="proposed_value",
                           required_message="请填写正确的信息")
        return kind, "", "", text, text

    field = (field or "").strip()
    if not field:
        raise DomainError("请选择要纠错的字段", code="required", fields={"field": "请选择要纠错的字段"})
    spec = SPECS.get(field)
    if spec is None:
        raise DomainError("不存在该字段，无法纠错", code="unknown_field", fields={"field": "不存在该字段"})
    if spec.editable_by_graduate:
        raise DomainError(f"{spec.label}可以在“生源信息”或“联系方式登记”页面直接修改，无需提交信息反馈",
                          code="editable_field", fields={"field": "可直接修改，无需纠错"})
    if spec.group != FIELD_KIND_GROUPS[kind]:
        raise DomainError(f"{spec.label}属于{spec.group}，请选择正确的反馈类型", code="kind_mismatch",
                          fields={"kind": f"{spec.label}属于{spec.group}"})
    raw = (str(proposed_value) if proposed_value is not None else "").strip()
    if not raw:
        raise DomainError("请填写正确的信息", code="required", fields={"proposed_value": "请填写正确的信息"})
    try:
        cleaned = spec.clean(raw, graduate)
    except DomainError as exc:
        raise DomainError(f"{spec.label}：{exc.message}", code="invalid_value",
                          fields={"proposed_value": exc.message}) from None
    current = getattr(graduate, field)
    if getattr(current, "pk", current) == getattr(cleaned, "pk", cleaned):
        raise DomainError(f"填写的{spec.label}与当前信息一致，无需纠错", code="unchanged",
                          fields={"proposed_value": "与当前信息一致"})
    return kind, field, display_value(field, graduate), raw, spec.display(cleaned)


def _processed_images(images) -> list[ProcessedImage]:
    images = [image for image in (images or []) if image]
    check_image_count(0, len(images))
    processed = []
    for number, upload in enumerate(images, start=1):
        try:
            processed.append(process_image(upload))
        except DomainError as exc:
            message = f"第{number}张图片：{exc.message}" if len(images) > 1 else exc.message
            raise DomainError(message, code=exc.code, fields={"images": message}) from None
    return processed


def correction_file(
    *, actor, graduate: Graduate, kind: str, field: str = "", proposed_value="", explanation: str,
    images: list[UploadedFile] | None = None, client_address: str = "",
) -> Correction:
    """The graduate reports a wrong value of the own record (毕业生信息反馈)."""
    if actor is None or not actor.is_authenticated or actor.role != Role.GRADUATE or actor.graduate_id != graduate.pk:
        raise Forbidden("只有毕业生本人可以提交信息反馈")
    kind, field, current, proposed, proposed_display = _cleaned_target(
        graduate=graduate, kind=kind, field=field, proposed_value=proposed_value)
    explanation = _clean_text(explanation, max_len=MAX_EXPLANATION, field="explanation",
                              required_message="请填写说明")
    processed = _processed_images(images)
    if field and Correction.objects.filter(graduate=graduate, field=field, status=CorrectionStatus.PENDING).exists():
        raise DomainError(MSG_DUPLICATE, code="duplicate_pending", fields={"field": MSG_DUPLICATE})

    stored: list = []
    try:
        with transaction.atomic():
            correction = Correction.objects.create(
                graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id, kind=kind,
                field=field, current_value=current[:300], proposed_value=proposed,
                proposed_display=proposed_display[:600], explanation=explanation,
                promised_by=add_working_days(timezone.localdate(), PROMISED_WORKING_DAYS),
            )
            for image in processed:
                row = CorrectionImage(correction=correction, width=image.width, height=image.height,
                                      size=image.size, original_name=image.original_name)
                content = image_content_file(image)
                row.file.save(content.name, content, save=False)
                stored.append(row.file.name)
                row.save()
            audit_record(
                actor=actor, action="correction.file",
                summary=f"提交信息反馈#{correction.pk}：{correction.subject}",
                target=correction, school_id=graduate.school_id, college_id=graduate.college_id,
                graduate_id=graduate.pk,
                changes={"申请更正": [current, proposed_display[:200]],
                         **({"证明材料": ["", f"{len(processed)}张图片"]} if processed else {})},
                client_address=client_address,
            )
    except IntegrityError:
        delete_stored_files(stored)
        raise DomainError(MSG_DUPLICATE, code="duplicate_pending", fields={"field": MSG_DUPLICATE}) from None
    except BaseException:
        delete_stored_files(stored)
        raise
    return correction



def _assert_reviewer(actor, correction: Correction) -> None:
    require_role(actor, REVIEWERS)
    in_scope = (actor.role == Role.SCHOOL_STAFF and actor.school_id == correction.school_id) or (
        actor.role == Role.COLLEGE_STAFF and actor.college_id == correction.college_id
    )
    if not in_scope:
        raise Forbidden()


def _lock_pending(correction: Correction) -> Correction:
    locked = Correction.objects.select_for_update(of=("self",)).select_related("graduate").get(pk=correction.pk)
    if locked.status != CorrectionStatus.PENDING:
        raise DomainError(MSG_DECIDED, code="already_decided")
    return locked


def _finish(locked: Correction, *, status: str, actor, note: str) -> None:
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by = actor if status != CorrectionStatus.WITHDRAWN else None
    locked.decision_note = note
    if locked.field in MASKED_FIELDS:
        locked.proposed_value = ""  # no longer needed: only the masked display stays
    locked.save()


def _copy(source: Correction, target: Correction) -> Correction:
    for name in ("status", "decided_at", "decided_by_id", "decision_note", "proposed_value", "college_id"):
        setattr(target, name, getattr(source, name))
    return target


def correction_accept(*, actor, correction: Correction, client_address: str = "", note: str = "") -> Correction:
    """采纳: a field correction is applied to the record (validated and audited again by
    `graduate_update`); for 毕业去向/档案/其他 staff record what they did (required note)."""
    _assert_reviewer(actor, correction)
    names_field = bool(correction.field)
    note = _clean_text(note, max_len=MAX_NOTE, field="note",
                       required_message=None if names_field else "请填写处理说明（已做的修改）")
    with transaction.atomic():
        locked = _lock_pending(correction)
        _assert_reviewer(actor, locked)  # scope of the row as it is now
        if locked.field:
            from apps.graduates.services import graduate_update

            graduate_update(
                actor=actor, graduate=locked.graduate, changes={locked.field: locked.proposed_value},
                client_address=client_address, reason=f"采纳信息反馈#{locked.pk}",
            )
        _finish(locked, status=CorrectionStatus.ACCEPTED, actor=actor, note=note)
        graduate = locked.graduate
        if graduate.college_id != locked.college_id:
            # a 院系/专业 correction moved the graduate: the corrections follow to the new college
            Correction.objects.filter(graduate=graduate).update(college_id=graduate.college_id)
            locked.college_id = graduate.college_id
        audit_record(
            actor=actor, action="correction.accept", summary=f"采纳信息反馈#{locked.pk}：{locked.subject}",
            target=locked, school_id=locked.school_id, college_id=locked.college_id, graduate_id=graduate.pk,
            changes={"状态": [CorrectionStatus.PENDING.label, CorrectionStatus.ACCEPTED.label],
                     **({"处理说明": ["", note]} if note else {})},
            client_address=client_address,
        )
    return _copy(locked, correction)


def correction_reject(*, actor, correction: Correction, reason: str, client_address: str = "") -> Correction:
    """不采纳, with the reason the graduate will read."""
    _assert_reviewer(actor, correction)
    reason = _clean_text(reason, max_len=MAX_NOTE, field="reason", required_message="请填写未采纳的原因")
    with transaction.atomic():
        locked = _lock_pending(correction)
        _assert_reviewer(actor, locked)  # scope of the row as it is now
        _finish(locked, status=CorrectionStatus.REJECTED, actor=actor, note=reason)
        audit_record(
            actor=actor, action="correction.reject", summary=f"未采纳信息反馈#{locked.pk}：{locked.subject}",
            target=locked, school_id=locked.school_id, college_id=locked.college_id,
            graduate_id=locked.graduate_id,
            changes={"状态": [CorrectionStatus.PENDING.label, CorrectionStatus.REJECTED.label], "未采纳原因": ["", reason]},
            client_address=client_address,
        )
    return _copy(locked, correction)


def correction_reveal_proposed(*, actor, correction: Correction, client_address: str = "") -> str:
    """显示完整号码: the reviewer in scope asks on purpose for the full proposed personal
    number of a pending correction, to compare it with the uploaded scan. Returns it for this
    one response only; the audit entry says who looked and when (never the number)."""
    _assert_reviewer(actor, correction)
    if correction.field not in MASKED_FIELDS:
        raise DomainError("该反馈的正确信息无需显示完整号码", code="not_masked")
    with transaction.atomic():
        locked = _lock_pending(correction)
        _assert_reviewer(actor, locked)  # scope of the row as it is now
        if not locked.proposed_value:
            raise DomainError("完整号码已不再保存", code="no_value")
        audit_record(
            actor=actor, action="correction.reveal",
            summary=f"查看信息反馈#{locked.pk}的完整{locked.field_label}（核对证明材料）",
            target=locked, school_id=locked.school_id, college_id=locked.college_id,
            graduate_id=locked.graduate_id, changes={}, client_address=client_address,
        )
    return locked.proposed_value


def correction_withdraw(*, actor, correction: Correction, client_address: str = "") -> Correction:
    """The graduate takes back a pending correction (e.g. filed by mistake)."""
    if actor is None or not actor.is_authenticated or actor.role != Role.GRADUATE or (
        actor.graduate_id != correction.graduate_id
    ):
        raise Forbidden("只有毕业生本人可以撤回信息反馈")
    with transaction.atomic():
        locked = _lock_pending(correction)
        _finish(locked, status=CorrectionStatus.WITHDRAWN, actor=actor, note="")
        audit_record(
            actor=actor, action="correction.withdraw", summary=f"撤回信息反馈#{locked.pk}：{locked.subject}",
            target=locked, school_id=locked.school_id, college_id=locked.college_id,
            graduate_id=locked.graduate_id,
            changes={"状态": [CorrectionStatus.PENDING.label, CorrectionStatus.WITHDRAWN.label]},
            client_address=client_address,
        )
    return _copy(locked, correction)
