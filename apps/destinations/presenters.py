"""How a destination is shown: the category <select>, the per-category form rows, read-only
rows with labels, and the dicts the API returns. No business rule lives here; whether the
graduate may change the record is asked of the service's own guard."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone

from apps.core.errors import DomainError
from apps.core.images import MAX_IMAGES_PER_ITEM
from apps.destinations import catalog
from apps.destinations.models import Destination, DestinationStatus, ProofImage

FOUR_DONTS = "实习证明、见习证明不能作为就业证明材料（“四不准”）。请勿上传实习证明、见习证明。"

# how a column is entered on the form
_KINDS = {
    "unit_division": "division",
    "sign_date": "date",
    "unit_contact_phone": "tel",
    "description": "textarea",
    "credit_code": "credit",
}
_MAXLENGTH = {"credit_code": 18, "unit_contact": 50, "unit_contact_phone": 20, "country_region": 100,
              "description": 500}
_GROUP_ORDER = ("就业", "升学", "未就业")


def field_kind(name: str) -> str:
    if name in catalog.CODE_FIELDS:
        return "code"
    return _KINDS.get(name, "text")


# --- the category <select> --------------------------------------------------------------

def category_groups(every: list[catalog.Category] | None = None, *, selectable_only: bool = True) -> list[dict]:
    """Categories grouped 就业 / 升学 / 未就业 (the selectable ones for the graduate, all of
    them for staff filters), each sub-code right after its parent, indented when the parent
    is listed too."""
    every = catalog.categories() if every is None else every
    categories = [c for c in every if c.selectable] if selectable_only else list(every)
    order = {c.code: position for position, c in enumerate(every)}
    listed = {c.code for c in categories}

    def key(c: catalog.Category):
        anchor = order.get(c.parent_code, order[c.code]) if c.parent_code else order[c.code]
        return (anchor, 1 if c.parent_code else 0, order[c.code])

    grouped: dict[str, list[dict]] = {}
    for c in sorted(categories, key=key):
        indent = "\u3000" if c.parent_code and c.parent_code in listed else ""
        grouped.setdefault(c.group, []).append({"code": c.code, "label": f"{indent}{c.name}"})
    names = sorted(grouped, key=lambda g: _GROUP_ORDER.index(g) if g in _GROUP_ORDER else len(_GROUP_ORDER))
    return [{"name": name, "options": grouped[name]} for name in names]


def category_names(every: list[catalog.Category] | None = None) -> dict[str, str]:
    """code → name, built once per request (the queue never asks per row)."""
    return {c.code: c.name for c in (catalog.categories() if every is None else every)}


# --- form values and rows ------------------------------------------------------------------

def form_values(destination: Destination | None) -> dict[str, str]:
    """The stored columns as form values (codes, ISO dates)."""
    values = {name: "" for name in catalog.ALL_FIELDS}
    if destination is None:
        return values
    for name in catalog.ALL_FIELDS:
        if name == "unit_division":
            values[name] = destination.unit_division_id or ""
        elif name == "sign_date":
            values[name] = destination.sign_date.isoformat() if destination.sign_date else ""
        else:
            values[name] = getattr(destination, name) or ""
    return values


def form_rows(category: catalog.Category, values: dict[str, str], errors: dict[str, str] | None = None) -> list[dict]:
    errors = errors or {}
    rows = []
    for f in category.fields:
        table, scheme = catalog.CODE_FIELDS.get(f.field, ("", ""))
        rows.append({
            "field": f.field, "label": f.label, "required": f.required, "kind": field_kind(f.field),
            "value": values.get(f.field, "") or "", "error": errors.get(f.field, ""), "table": table, "scheme": scheme,
            "maxlength": _MAXLENGTH.get(f.field, 200),
        })
    return rows


def display_value(destination: Destination, name: str) -> str:
    from apps.reference.selectors import code_label

    value = getattr(destination, name)
    if name in catalog.CODE_FIELDS:
        table, scheme = catalog.CODE_FIELDS[name]
        return code_label(table, value, scheme)
    if name == "unit_division":
        return value.full_name if value else ""
    if name == "sign_date":
        return value.isoformat() if value else ""
    return value or ""


def display_rows(destination: Destination, category: catalog.Category | None) -> list[dict]:
    if category is None:
        return []
    return [{"field": f.field, "label": f.label, "required": f.required, "value": display_value(destination, f.field)}
            for f in category.fields]


def headline(destination: Destination) -> str:
    """The one line that names where the graduate goes (unit, school or foreign school)."""
    return destination.unit_name or destination.study_school or destination.abroad_school_cn or ""


# --- may the graduate change it? ---------------------------------------------------------

def edit_block(actor, graduate, destination: Destination | None, today: date | None = None) -> str:
    """Why the graduate cannot change the registration now ('' when they can). Asks the
    service's own guard, so the page never disagrees with what a save would do."""
    from apps.destinations.services import _assert_graduate_may_change

    try:
        _assert_graduate_may_change(actor, graduate, destination, today or timezone.localdate())
    except DomainError as exc:
        return exc.message
    if destination is not None and destination.status == DestinationStatus.SUBMITTED:
        return "已提交，等待院系审核；审核前不能修改。"
    return ""


# --- the one state text (title, explanation, next actions) per state and viewer ----------

_STAFF_ROLES = ("college_staff", "school_staff", "province_staff")


def _returned_by(destination: Destination) -> str:
    """院系 or 学校: whoever reviewed last returned it."""
    college_at, school_at = destination.college_reviewed_at, destination.school_reviewed_at
    if school_at and (college_at is None or school_at >= college_at):
        return "学校"
    return "院系"


def state_key(destination: Destination | None) -> str:
    """none, draft, submitted, college_approved, school_approved, returned_by_college,
    returned_by_school."""
    if destination is None:
        return "none"
    if destination.status == DestinationStatus.RETURNED:
        return "returned_by_school" if _returned_by(destination) == "学校" else "returned_by_college"
    return destination.status


def destination_state(destination: Destination | None, *, viewer_role: str, graduate=None,
                      today: date | None = None) -> dict:
    """What a person reads about a destination and may do next, for the graduate (毕业生),
    college staff (院系初审), school staff (学校终审) and province staff (read only).

    Numbers and dates come from the rules themselves: the cut-off from the school's policy
    through the service's own guard, the reviewer from `reviewable_status`. The graduate page,
    the staff pages and the API all show this dict (the API as `state`)."""
    from apps.destinations.services import graduate_change_refusal

    graduate = graduate if graduate is not None else (destination.graduate if destination else None)
    today = today or timezone.localdate()
    key = state_key(destination)
    signed = destination is not None and destination.source == "online_signing"
    refusal = graduate_change_refusal(graduate, destination, today) if graduate is not None else None
    after_cutoff = refusal is not None and refusal.code == "after_cutoff"
    cutoff = policy_for_graduate(graduate).destination_cutoff_on if graduate is not None else None
    cutoff_text = f"{cutoff:%Y年%m月%d日}" if cutoff else ""
    reason = destination.return_reason if destination is not None else ""
    titles = {
        "none": "未登记", "draft": "未提交", "submitted": "待院系初审", "college_approved": "初审通过，待学校终审",
        "school_approved": "审核通过", "returned_by_college": "院系退回", "returned_by_school": "学校退回",
    }
    title = titles[key]
    if signed:
        title = f"已网签 · {title}"
    explanation, actions = "", []
    editable = refusal is None and key != "submitted"
    may_review = False

    if viewer_role == "graduate":
        if key == "none":
            explanation = ("尚未登记毕业去向。已与用人单位达成意向并准备网签的，无需在此登记，"
                           "网签后系统自动登记。")
            actions = ["选择毕业去向并保存", "按审核依据上传证明材料", "提交审核"]
        elif key == "draft":
            explanation = "已保存，尚未提交审核；院系和学校看不到未提交的登记。"
            actions = ["核对去向内容", "按审核依据上传证明材料", "提交审核"]
        elif key == "submitted":
            explanation = ("网签成功，毕业去向已自动登记，" if signed else "已提交，") + "等待院系初审；审核期间不能修改。"
        elif key == "college_approved":
            explanation = "院系初审已通过，等待学校终审；不能修改。"
        elif key == "school_approved":
            explanation = "学校审核通过，毕业去向已确认，不能修改；如有错误请联系院系或学校就业部门。"
        else:  # returned
            who = _returned_by(destination)
            if signed:
                explanation = (f"网签登记的毕业去向被{who}退回。网签去向只能由用人单位更正单位信息后重新提交，"
                               "您不能修改；请联系签约单位更正。协议仍然有效。")
                actions = ["联系签约单位更正单位信息"]
            else:
                explanation = f"被{who}退回，请按退回原因修改后重新提交审核。"
                actions = ["按退回原因修改去向内容或证明材料", "重新提交审核"]
        if after_cutoff and key in ("none", "draft", "returned_by_college", "returned_by_school"):
            title = "已过登记截止日期"
            explanation = (f"学校规定的毕业去向登记变更截止日期为{cutoff_text}，已过截止日期，不能再登记或修改；"
                           "如确需变更请联系学校就业部门。")
            actions = ["联系学校就业部门"]
        if not editable:
            actions = [a for a in actions if a.startswith("联系")]
    else:
        acts_on = reviewable_status_for_role(viewer_role)
        may_review = destination is not None and destination.status == acts_on
        source = "网签自动登记，" if signed else ""
        if key == "none":
            explanation = "毕业生尚未登记毕业去向。"
        elif key == "draft":
            explanation = "毕业生已保存但尚未提交审核，无需审核。"
        elif key == "submitted":
            if viewer_role == "college_staff":
                explanation = f"{source}毕业生已提交，待您初审。"
                actions = ["核对去向内容与证明材料", "初审通过", "退回（须填写原因）"]
            else:
                explanation = f"{source}毕业生已提交，等待院系初审；院系初审通过后学校终审。"
        elif key == "college_approved":
            if viewer_role == "school_staff":
                explanation = f"{source}院系初审已通过，待您终审。"
                actions = ["核对去向内容与证明材料", "审核通过", "退回（须填写原因）"]
            else:
                explanation = f"{source}院系初审已通过，等待学校终审。"
        elif key == "school_approved":
            explanation = "学校审核通过，毕业去向已确认。"
        else:
            who = _returned_by(destination)
            fixer = "等待用人单位更正单位信息后重新提交" if signed else "等待毕业生修改后重新提交"
            explanation = f"{who}已退回，{fixer}。"
        if after_cutoff and key in ("none", "draft", "returned_by_college", "returned_by_school"):
            explanation += f"已过学校规定的登记变更截止日期（{cutoff_text}），毕业生不能再登记或修改。"
        if viewer_role == "province_staff":
            actions, may_review = [], False
    return {
        "key": key,
        "status": destination.status if destination is not None else "none",
        "online_signed": signed,
        "title": title,
        "status_label": status_text(destination),
        "return_reason": reason if key.startswith("returned") else "",
        "badge": status_badge(destination.status if destination is not None else None),
        "explanation": explanation,
        "actions": actions,
        "editable": editable if viewer_role == "graduate" else False,
        "may_review": may_review,
        "after_cutoff": after_cutoff,
        "cutoff_on": cutoff,
    }


def policy_for_graduate(graduate):
    from apps.organisations.policy import policy_for

    return policy_for(graduate.school, graduate.cohort)


def status_text(destination: Destination | None) -> str:
    return "未登记" if destination is None else destination.get_status_display()


def status_badge(status: str | None) -> str:
    return {
        DestinationStatus.SUBMITTED: "warn", DestinationStatus.COLLEGE_APPROVED: "",
        DestinationStatus.SCHOOL_APPROVED: "good", DestinationStatus.RETURNED: "bad",
    }.get(status, "warn")


def reviewable_status(actor) -> str:
    """The status a reviewer acts on: college staff 待审核, school staff 初审通过."""
    return reviewable_status_for_role(actor.role)


def reviewable_status_for_role(role: str) -> str:
    from apps.accounts.models import Role

    if role == Role.COLLEGE_STAFF:
        return DestinationStatus.SUBMITTED
    if role == Role.SCHOOL_STAFF:
        return DestinationStatus.COLLEGE_APPROVED
    return ""


# --- API shapes ---------------------------------------------------------------------------

def category_info(c: catalog.Category) -> dict:
    return {
        "code": c.code, "name": c.name, "group": c.group, "parent_code": c.parent_code,
        "fields": [{"field": f.field, "label": f.label, "required": f.required, "kind": field_kind(f.field),
                    "code_table": catalog.CODE_FIELDS.get(f.field, ("", ""))[0]} for f in c.fields],
        "proof": c.proof, "proof_required": c.proof_required, "selectable": c.selectable,
        "allows_signing": c.allows_signing,
    }


def image_info(image: ProofImage) -> dict:
    return {"id": image.pk, "width": image.width, "height": image.height, "size": image.size,
            "url": reverse("api:destination_image", kwargs={"image_id": image.pk}), "created_at": image.created_at}


def destination_info(destination: Destination) -> dict:
    category = catalog.category(destination.category_code)
    values = form_values(destination)
    names = category.field_names if category else ()
    return {
        "id": destination.pk,
        "category_code": destination.category_code,
        "category_name": category.name if category else destination.category_code,
        "status": destination.status,
        "status_label": destination.get_status_display(),
        "source": destination.source,
        "source_label": destination.get_source_display(),
        "fields": {name: values[name] for name in names},
        "display": display_rows(destination, category),
        "credit_code_flagged": destination.credit_code_flagged,
        "return_reason": destination.return_reason,
        "proof": category.proof if category else "",
        "proof_required": bool(category and category.proof_required),
        "submitted_at": destination.submitted_at,
        "college_reviewed_at": destination.college_reviewed_at,
        "school_reviewed_at": destination.school_reviewed_at,
        "updated_at": destination.updated_at,
        "images": [image_info(i) for i in destination.images.all()],
    }


def own_info(actor, graduate, destination: Destination | None) -> dict:
    block = edit_block(actor, graduate, destination)
    return {
        "registered": destination is not None,
        "status": destination.status if destination else "none",
        "status_label": status_text(destination),
        "editable": not block,
        "edit_block_reason": block,
        "max_images": MAX_IMAGES_PER_ITEM,
        "four_donts": FOUR_DONTS,
        "destination": destination_info(destination) if destination else None,
        "state": destination_state(destination, viewer_role="graduate", graduate=graduate),
    }


def queue_item(destination: Destination, names: dict[str, str]) -> dict:
    g = destination.graduate
    return {
        "id": destination.pk, "graduate_id": g.pk, "student_number": g.student_number, "name": g.name,
        "college": destination.college.name, "major": g.major.name if g.major_id else "",
        "category_code": destination.category_code,
        "category_name": names.get(destination.category_code, destination.category_code),
        "status": destination.status, "status_label": destination.get_status_display(),
        "headline": headline(destination), "image_count": len(destination.images.all()),
        "credit_code_flagged": destination.credit_code_flagged, "submitted_at": destination.submitted_at,
    }


def staff_detail_info(actor, destination: Destination) -> dict:
    data = destination_info(destination)
    g = destination.graduate
    data["graduate"] = {"id": g.pk, "name": g.name, "student_number": g.student_number, "cohort": g.cohort,
                        "college": destination.college.name, "major": g.major.name if g.major_id else "",
                        "phone_masked": g.masked_phone}
    data["state"] = destination_state(destination, viewer_role=actor.role)
    data["can_review"] = data["state"]["may_review"]
    return data
