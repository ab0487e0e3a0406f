"""Pages of 毕业生信息反馈: the graduate's list, form and detail (mobile) and the staff queue
(desktop). Thin: parse, fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, role_required
from apps.accounts.scoping import visible_to
from apps.core.errors import DomainError
from apps.core.files import private_file_response
from apps.core.images import MAX_IMAGES_PER_ITEM
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import int_or_none, paginate, querystring_without_page
from apps.corrections import services
from apps.corrections.models import FIELD_KIND_GROUPS, GROUP_KINDS, CorrectionKind, CorrectionStatus
from apps.corrections.selectors import (
    ALL_STATUSES,
    CorrectionFilters,
    correction_get,
    correction_image_get,
    corrections_of_graduate,
    corrections_queue,
    pending_fields,
)
from apps.graduates.fields import READ_ONLY_FIELDS, SPECS, display_value
from apps.graduates.forms import BASIC_FIELDS, ENROLMENT_FIELDS
from apps.graduates.models import Graduate
from apps.organisations.models import College, Major

# Roster fields that hold a code: the code table (and scheme) of their picker.
CODE_FIELDS = {
    "gender_code": ("gender", ""),
    "ethnicity_code": ("ethnicity", ""),
    "political_status_code": ("political_status", ""),
    "urban_rural_code": ("urban_rural", ""),
    "hardship_code": ("hardship", ""),
    "normal_student_code": ("normal_student", ""),
    "training_mode_code": ("training_mode", ""),
    "education_level_code": ("education_level", "employment-xldm"),
}
DATE_FIELDS = {"enrolment_date", "graduation_date"}
READERS = (Role.GRADUATE, Role.COLLEGE_STAFF, Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


def _field_groups():
    """The correctable fields, grouped and ordered as on the 生源信息 page (then any other
    read-only field of the group)."""
    groups = []
    for group, label, shown in (("学籍信息", "学籍信息", ENROLMENT_FIELDS), ("基本信息", "个人基本信息", BASIC_FIELDS)):
        names = [f for f in shown if f in READ_ONLY_FIELDS and SPECS[f].group == group]
        names += [f for f in SPECS if f in READ_ONLY_FIELDS and SPECS[f].group == group and f not in names]
        groups.append({"kind": GROUP_KINDS[group], "label": label, "fields": [(f, SPECS[f].label) for f in names]})
    return groups


def _input_for(field: str, graduate: Graduate) -> dict:
    """How the correct value is entered: a code picker, a select of the school's colleges or
    majors, or a text input."""
    if field in CODE_FIELDS:
        table, scheme = CODE_FIELDS[field]
        return {"type": "code", "table": table, "scheme": scheme}
    if field == "college":
        return {"type": "select", "options": [(c.pk, c.name) for c in College.objects.filter(
            school_id=graduate.school_id).order_by("code", "id")]}
    if field == "major":
        return {"type": "select", "options": [(m.pk, f"{m.name}（{m.college.name}）") for m in Major.objects.filter(
            school_id=graduate.school_id).select_related("college").order_by("college__code", "code", "id")]}
    if field in DATE_FIELDS:
        return {"type": "text", "placeholder": "如 2022-09-01"}
    return {"type": "text", "placeholder": f"请输入正确的{SPECS[field].label}"}


def _own_graduate(request):
    return Graduate.objects.select_related("school", "college", "major").get(pk=request.user.graduate_id)


@role_required(Role.GRADUATE)
def my_corrections_view(request):
    graduate = request.user.graduate
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    page = paginate(request, corrections_of_graduate(actor=request.user))
    return render(request, "corrections/my_list.html", {"tab": "register", "page": page})


@role_required(Role.GRADUATE)
def new_correction_view(request):
    graduate = _own_graduate(request)
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    source = request.POST if request.method == "POST" else request.GET
    field = source.get("field", "").strip()
    kind = source.get("kind", "").strip()
    spec = SPECS.get(field)
    editable_notice = None
    if spec is not None and spec.editable_by_graduate:
        editable_notice = spec.label
        field, spec = "", None
    elif spec is None:
        field = ""
    if spec is not None:
        kind = GROUP_KINDS[spec.group]  # 学籍信息 or 基本信息, from the field
    elif kind in FIELD_KIND_GROUPS or kind not in CorrectionKind.values:
        kind = ""  # a field kind needs its field: back to choosing what to correct

    error, field_errors = None, {}
    values = {"proposed_value": "", "explanation": ""}
    if request.method == "POST":
        values = {"proposed_value": request.POST.get("proposed_value", ""),
                  "explanation": request.POST.get("explanation", "")}
        try:
            correction = services.correction_file(
                actor=request.user, graduate=graduate, kind=kind, field=field,
                proposed_value=values["proposed_value"], explanation=values["explanation"],
                images=request.FILES.getlist("images"), client_address=client_address(request),
            )
        except DomainError as exc:
            error, field_errors = exc.message, exc.fields
        else:
            messages.success(request, "信息反馈已提交，学校老师将在2-3个工作日内处理。")
            return redirect("correction-detail", pk=correction.pk)

    context = {
        "tab": "register",
        "graduate": graduate,
        "kind": kind,
        "kind_label": CorrectionKind(kind).label if kind else "",
        "field": field,
        "spec": spec,
        "editable_notice": editable_notice,
        "free_kinds": [(k, label) for k, label in CorrectionKind.choices if k not in FIELD_KIND_GROUPS],
        "field_groups": _field_groups(),
        "current_value": display_value(field, graduate) if field else "",
        "input": _input_for(field, graduate) if field else None,
        "already_pending": field in pending_fields(graduate_id=graduate.pk) if field else False,
        "values": values,
        "error": error,
        "field_errors": field_errors,
        "max_images": MAX_IMAGES_PER_ITEM,
    }
    return render(request, "corrections/new.html", context)


@role_required(Role.GRADUATE)
def my_correction_detail_view(request, pk: int):
    correction = correction_get(actor=request.user, pk=pk)
    return render(request, "corrections/my_detail.html", {"tab": "register", "c": correction})


@require_POST
@role_required(Role.GRADUATE)
def withdraw_view(request, pk: int):
    correction = correction_get(actor=request.user, pk=pk)
    services.correction_withdraw(actor=request.user, correction=correction, client_address=client_address(request))
    messages.success(request, "信息反馈已撤回")
    return redirect("correction-list")


@role_required(*READERS)
def image_view(request, pk: int, image_id: int):
    """The picture of a correction, for its graduate and the staff in scope only."""
    image = correction_image_get(actor=request.user, correction_id=pk, image_id=image_id)
    return private_file_response(image.file)


# --- staff ---------------------------------------------------------------------------------




@role_required(*REVIEWERS, Role.PROVINCE_STAFF)
def staff_queue_view(request):
    status = request.GET.get("status", CorrectionStatus.PENDING)
    if status not in CorrectionStatus.values and status != ALL_STATUSES:
        status = CorrectionStatus.PENDING
    filters = CorrectionFilters(
        status=status, kind=request.GET.get("kind", ""), college_id=int_or_none(request.GET.get("college")),
        keyword=request.GET.get("q", ""),
    )
    page = bounded_page(request, corrections_queue(actor=request.user, filters=filters), per_page=30)
    return render(request, "corrections/staff_queue.html", {
        "page": page,
        "filters": filters,
        "statuses": CorrectionStatus.choices,
        "kinds": CorrectionKind.choices,
        "colleges": visible_to(College, request.user).order_by("code", "id"),
        "querystring": querystring_without_page(request),
        "today": timezone.localdate(),
    })


def _may_reveal(request, correction) -> bool:
    return correction.is_pending and correction.field in services.MASKED_FIELDS and request.user.role in REVIEWERS


@role_required(*REVIEWERS, Role.PROVINCE_STAFF)
def staff_detail_view(request, pk: int):
    correction = correction_get(actor=request.user, pk=pk)
    return render(request, "corrections/staff_detail.html", {
        "c": correction,
        "may_decide": correction.is_pending and request.user.role in REVIEWERS,
        "may_reveal": _may_reveal(request, correction),
        "error": None,
    })


@require_POST
@role_required(*REVIEWERS)
def staff_reveal_view(request, pk: int):
    """显示完整号码 (POST, audited): the full proposed number in this response only."""
    correction = correction_get(actor=request.user, pk=pk)
    revealed = services.correction_reveal_proposed(actor=request.user, correction=correction,
                                                   client_address=client_address(request))
    return render(request, "corrections/staff_detail.html", {
        "c": correction, "may_decide": correction.is_pending, "may_reveal": False, "revealed": revealed,
        "error": None,
    })


def _decide(request, pk: int, action):
    correction = correction_get(actor=request.user, pk=pk)
    try:
        message = action(correction)
    except DomainError as exc:
        if exc.status != 400:
            raise
        return render(request, "corrections/staff_detail.html", {
            "c": correction_get(actor=request.user, pk=pk), "may_decide": correction.is_pending,
            "error": exc.message, "field_errors": exc.fields, "posted": request.POST,
        }, status=400)
    messages.success(request, message)
    return redirect(reverse("staff-corrections"))


@require_POST
@role_required(*REVIEWERS)
def staff_accept_view(request, pk: int):
    def accept(correction):
        services.correction_accept(actor=request.user, correction=correction, note=request.POST.get("note", ""),
                                   client_address=client_address(request))
        if correction.field:
            return f"已采纳信息反馈#{correction.pk}，{correction.graduate.name}的{correction.field_label}已更新"
        return f"已采纳信息反馈#{correction.pk}"

    return _decide(request, pk, accept)


@require_POST
@role_required(*REVIEWERS)
def staff_reject_view(request, pk: int):
    def reject(correction):
        services.correction_reject(actor=request.user, correction=correction, reason=request.POST.get("reason", ""),
                                   client_address=client_address(request))
        return f"信息反馈#{correction.pk}未采纳，原因已告知毕业生"

    return _decide(request, pk, reject)
