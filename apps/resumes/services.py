"""The doors of 简历维护 (C8): a graduate adds, edits, reorders and deletes the items of the own
resume, writes the self-evaluation and chooses whether verified employers may find it.

Each door: the graduate acts on their own resume only (items are fetched through
`visible_to(ResumeItem, actor)`, so another graduate's item is a missing one), one transaction
with the resume row locked (the per-section limit and the positions cannot race), one audit
entry. The audit entry names the section and the item number, never the text the graduate
wrote (a resume is personal data)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.accounts.scoping import visible_to
from apps.audit.services import audit_record
from apps.core.errors import DomainError, NotFound
from apps.graduates.models import Graduate
from apps.resumes.models import Resume, ResumeItem
from apps.resumes.sections import (
    ITEM_COLUMNS,
    MAX_ITEMS_PER_SECTION,
    clean_item,
    clean_self_evaluation,
    section_spec,
)

DIRECTIONS = ("up", "down")


def _graduate_of(actor) -> Graduate:
    require_role(actor, (Role.GRADUATE,))
    return Graduate.objects.only("id", "school_id", "college_id").get(pk=actor.graduate_id)


def _locked_resume(actor, graduate: Graduate) -> Resume:
    """The graduate's resume, created on first use, locked for the rest of the transaction."""
    resume = visible_to(Resume, actor).select_for_update().filter(graduate_id=graduate.pk).first()
    if resume is None:
        try:
            with transaction.atomic():
                Resume.objects.create(graduate_id=graduate.pk)
        except IntegrityError:  # created by a parallel request: use that one
            pass
        resume = visible_to(Resume, actor).select_for_update().get(graduate_id=graduate.pk)
    return resume


def _locked_item(actor, item: ResumeItem) -> ResumeItem:
    found = visible_to(ResumeItem, actor).select_for_update().filter(pk=getattr(item, "pk", None)).first()
    if found is None:
        raise NotFound()
    return found


def _audit(actor, graduate: Graduate, *, action: str, summary: str, target, changes: dict) -> None:
    audit_record(actor=actor, action=action, summary=summary, target=target, school_id=graduate.school_id,
                 college_id=graduate.college_id, graduate_id=graduate.pk, changes=changes)


def resume_item_save(*, actor, item: ResumeItem | None = None, section: str | None = None, data: dict) -> ResumeItem:
    """Add an item to a section (item None) or change one. The section of an existing item
    stays (moving it to another section is deleting and adding); a section holds at most
    MAX_ITEMS_PER_SECTION items."""
    graduate = _graduate_of(actor)
    if item is not None and section and section != item.section:
        raise DomainError("条目不能换到其他栏目，请删除后在相应栏目重新添加", code="section_change",
                          fields={"section": "不能更改栏目"})
    section = item.section if item is not None else section
    spec = section_spec(section)
    cleaned = clean_item(section, data or {})
    with transaction.atomic():
        resume = _locked_resume(actor, graduate)
        if item is None:
            rows = ResumeItem.objects.filter(resume=resume, section=section)
            if rows.count() >= MAX_ITEMS_PER_SECTION:
                message = f"{spec.label}最多{MAX_ITEMS_PER_SECTION}条，请先删除不需要的条目"
                raise DomainError(message, code="too_many_items", fields={"section": message})
            last = rows.order_by("-position").values_list("position", flat=True).first()
            saved = ResumeItem.objects.create(resume=resume, section=section,
                                              position=0 if last is None else last + 1, **cleaned)
            _audit(actor, graduate, action="resume.item_add", summary=f"简历新增{spec.label}条目#{saved.pk}",
                   target=saved, changes={"栏目": ["", spec.label]})
            resume.save(update_fields=["updated_at"])
            return saved
        locked = _locked_item(actor, item)
        changed = [name for name in ITEM_COLUMNS if getattr(locked, name) != cleaned[name]]
        for name in changed:
            setattr(locked, name, cleaned[name])
        if changed:
            locked.save(update_fields=changed)
            labels = "、".join(spec.field(name).label for name in changed)
            _audit(actor, graduate, action="resume.item_edit", summary=f"简历修改{spec.label}条目#{locked.pk}",
                   target=locked, changes={"修改内容": ["", labels]})
            resume.save(update_fields=["updated_at"])
        return locked


def resume_item_delete(*, actor, item: ResumeItem) -> None:
    graduate = _graduate_of(actor)
    with transaction.atomic():
        resume = _locked_resume(actor, graduate)
        locked = _locked_item(actor, item)
        label = section_spec(locked.section).label
        _audit(actor, graduate, action="resume.item_delete", summary=f"简历删除{label}条目#{locked.pk}",
               target=locked, changes={"栏目": [label, ""]})
        locked.delete()
        resume.save(update_fields=["updated_at"])


def resume_item_move(*, actor, item: ResumeItem, direction: str) -> ResumeItem:
    """Swap the item with its neighbour in the section ("up": the one before it). The section's
    positions are renumbered 0…n-1 in the same write, so items that share a position (older
    rows) still move by exactly one place."""
    if direction not in DIRECTIONS:
        raise DomainError("请选择上移或下移", code="invalid_direction", fields={"direction": "应为上移或下移"})
    graduate = _graduate_of(actor)
    with transaction.atomic():
        resume = _locked_resume(actor, graduate)
        locked = _locked_item(actor, item)
        siblings = list(ResumeItem.objects.filter(resume=resume, section=locked.section)
                        .order_by("position", "id").only("id", "position"))
        index = next(i for i, row in enumerate(siblings) if row.pk == locked.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            message = "已经是第一条，无法上移" if direction == "up" else "已经是最后一条，无法下移"
            raise DomainError(message, code="cannot_move", fields={"direction": message})
        siblings[index], siblings[other] = siblings[other], siblings[index]
        moved = []
        for position, row in enumerate(siblings):
            if row.position != position:
                row.position = position
                moved.append(row)
        ResumeItem.objects.bulk_update(moved, ["position"])
        spec = section_spec(locked.section)
        _audit(actor, graduate, action="resume.item_move",
               summary=f"简历调整{spec.label}条目#{locked.pk}的顺序",
               target=locked, changes={"顺序": [index + 1, other + 1]})
        resume.save(update_fields=["updated_at"])
        locked.position = other
        return locked


def resume_update(*, actor, self_evaluation: str | None = None, discoverable: bool | None = None) -> Resume:
    """The self-evaluation and the 允许已认证单位查找我的简历 switch; None leaves a value as it is."""
    graduate = _graduate_of(actor)
    text = clean_self_evaluation(self_evaluation) if self_evaluation is not None else None
    if discoverable is not None and not isinstance(discoverable, bool):
        raise DomainError("请选择是否允许单位查找", code="invalid", fields={"discoverable": "应为是或否"})
    with transaction.atomic():
        resume = _locked_resume(actor, graduate)
        changes, fields = {}, []
        if text is not None and text != resume.self_evaluation:
            changes["自我评价"] = ["", "已修改" if text else "已清空"]  # never the text itself
            resume.self_evaluation = text
            fields.append("self_evaluation")
        if discoverable is not None and discoverable != resume.discoverable:
            changes["允许单位查找简历"] = [resume.discoverable, discoverable]
            resume.discoverable = discoverable
            fields.append("discoverable")
        if fields:
            resume.save(update_fields=[*fields, "updated_at"])
            _audit(actor, graduate, action="resume.update", summary="简历设置修改", target=resume, changes=changes)
        return resume
