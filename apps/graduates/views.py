from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, role_required
from apps.accounts.scoping import get_visible, visible_to
from apps.accounts.services import staff_reset_signing_pin
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import int_or_none, paginate, querystring_without_page
from apps.graduates.models import Graduate
from apps.graduates.presenters import graduate_detail
from apps.graduates.selectors import (
    UNREGISTERED,
    destination_field_rows,
    directory_filters,
    directory_row,
    graduate_staff_view,
    graduates_list,
    keyword_capped_total,
    profile_sections,
)
from apps.notices.selectors import notices_for_graduate
from apps.notifications.selectors import with_unread_notifications
from apps.organisations.models import College, Major, School
from apps.reference.selectors import code_label, code_labels


def _own_graduate(request, *, unread: bool = False) -> Graduate:
    """The signed-in graduate with the school and college the pages show, in one query
    (kept on request.user so later reads of user.graduate do not query again); `unread` adds
    the unread message count (消息通知 badge) to that same statement."""
    graduates = Graduate.objects.select_related("school", "college")
    if unread:
        graduates = with_unread_notifications(graduates)
    graduate = graduates.get(pk=request.user.graduate_id)
    request.user.graduate = graduate
    return graduate


def _graduate_page(request, template, tab, *, graduate: Graduate | None = None, **context):
    graduate = graduate or _own_graduate(request)
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    return render(request, template, {"tab": tab, "graduate": graduate, **context})


@role_required(Role.GRADUATE)
def home_view(request):
    graduate = _own_graduate(request, unread=True)
    return _graduate_page(
        request, "graduates/home.html", "home", graduate=graduate,
        notices=notices_for_graduate(graduate=graduate, kind="notice")[:5],
        news=notices_for_graduate(graduate=graduate, kind="news")[:5],
    )


@role_required(Role.GRADUATE)
def register_view(request):
    return _graduate_page(request, "graduates/register.html", "register")


@role_required(Role.GRADUATE)
def services_view(request):
    return _graduate_page(request, "graduates/services.html", "services")


@role_required(Role.GRADUATE)
def me_view(request):
    graduate = _own_graduate(request)
    return _graduate_page(
        request, "graduates/me.html", "me", graduate=graduate,
        education_level=code_label("education_level", graduate.education_level_code, "employment-xldm"),
    )


@role_required(Role.GRADUATE)
def settings_view(request):
    return _graduate_page(request, "graduates/settings.html", "me")



def _directory_filters(request):
    """The directory's filters from the page's query string (the export link carries the same)."""
    get = request.GET.get
    return directory_filters(
        actor=request.user, cohort=int_or_none(get("cohort")), school_id=int_or_none(get("school")),
        college_id=int_or_none(get("college")), major_id=int_or_none(get("major")), level=get("level", ""),
        q=get("q", ""), origin_province=get("province", ""), category=get("category", ""),
        status=get("status", ""), confirmed=get("confirmed", ""), signed=get("signed", ""),
        hardship=get("hardship", ""), normal=get("normal", ""),
    )


def _directory_choices(user, filters) -> dict:
    """The filter <select>s: codes and provinces from the reference snapshot (no query); the
    organisation lists stay page-sized — a province has ~1,000 colleges, so province staff pick
    a school first and see that school's colleges."""
    from apps.destinations.models import DestinationStatus
    from apps.destinations.presenters import category_groups
    from apps.reference.selectors import division_ref_children

    schools = colleges = None
    if user.role == Role.PROVINCE_STAFF:
        schools = visible_to(School, user).order_by("code").only("pk", "name")
        if filters.school_id:
            colleges = visible_to(College, user).filter(school_id=filters.school_id)
    else:
        colleges = visible_to(College, user)
    return {
        "schools": schools,
        "colleges": colleges.order_by("code").only("pk", "name") if colleges is not None else None,
        "majors": (visible_to(Major, user).filter(college_id=filters.college_id).order_by("code").only("pk", "name")
                   if filters.college_id else []),
        "levels": code_labels("education_level", "employment-xldm"),
        "provinces": [(d.code, d.name) for d in division_ref_children(None)],
        "category_groups": category_groups(selectable_only=False),
        "unregistered": UNREGISTERED,
        "statuses": DestinationStatus.choices,
        "hardships": code_labels("hardship"),
        "normals": code_labels("normal_student"),
    }


@role_required(*REVIEWERS, Role.PROVINCE_STAFF)  # 省级: read only
def staff_graduates_view(request):
    """毕业生查询: search (姓名开头 / 学号 / 身份证号后四位), filters, a bounded page, and the
    导出 Excel link with the same query string."""
    user = request.user
    filters = _directory_filters(request)
    listed = graduates_list(actor=user, filters=filters)
    page = bounded_page(request, listed, per_page=30)
    keyword_capped_total(page, listed)
    querystring = querystring_without_page(request)
    return render(
        request,
        "graduates/staff_list.html",
        {
            "page": page,
            "rows": [directory_row(g) for g in page.object_list],
            "filters": filters,
            "querystring": querystring,
            **_directory_choices(user, filters),
        },
    )


@role_required(*REVIEWERS, Role.PROVINCE_STAFF)
def staff_graduates_export_view(request):
    """导出 Excel: the filtered list as .xlsx (temporary file, streamed); too many rows → the list
    page with the Chinese refusal (nothing written, nothing audited)."""
    from django.http import FileResponse

    from apps.core.errors import DomainError
    from apps.core.exports import XLSX_CONTENT_TYPE
    from apps.graduates.exports_directory import directory_export

    filters = _directory_filters(request)
    try:
        export = directory_export(actor=request.user, filters=filters, client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        query = querystring_without_page(request)
        return redirect(reverse("staff-graduates") + (f"?{query}" if query else ""))
    response = FileResponse(export.file, as_attachment=True, filename=export.filename,
                            content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    response["X-Export-Rows"] = str(export.rows)
    return response


@role_required(*REVIEWERS, Role.PROVINCE_STAFF)  # 省级: read only
def staff_graduate_detail_view(request, pk: int):
    """毕业生页面: everything the platform holds about the graduate, each section linking to where
    it is handled (only links the viewer's role may open)."""
    from apps.destinations.presenters import destination_state
    from apps.signing.presenters import agreement_state

    user = request.user
    graduate = get_visible(Graduate.objects.select_related("school", "college", "major", "origin_division"), user,
                           pk=pk)
    view = graduate_staff_view(actor=user, graduate=graduate)
    return render(request, "graduates/staff_detail.html", {
        "graduate": graduate,
        "detail": graduate_detail(graduate),
        "view": view,
        "sections": profile_sections(graduate),
        "destination_state": destination_state(view.destination, viewer_role=user.role, graduate=graduate),
        "destination_rows": destination_field_rows(view.destination),
        "destination_category": code_label("destination", view.destination.category_code) if view.destination else "",
        "agreements": [{"a": a, "state": agreement_state(a, viewer_role=user.role)} for a in view.agreements],
        "is_reviewer": user.role in REVIEWERS,
    })


@require_POST
@role_required(Role.SCHOOL_STAFF)
def staff_reset_pin_view(request, pk: int):
    graduate = get_visible(Graduate, request.user, pk=pk)
    staff_reset_signing_pin(actor=request.user, graduate=graduate, client_address=client_address(request))
    messages.success(request, f"已重置{graduate.name}的签约密码，毕业生下次登录时重新设置。")
    return redirect("staff-graduate-detail", pk=pk)


# --- 生源信息 (C2), 联系方式登记 and the change history -------------------------------

def _readonly_rows(graduate, fields):
    from apps.graduates.fields import SPECS, display_value

    return [{"field": f, "label": SPECS[f].label, "value": display_value(f, graduate)} for f in fields]


def _edit_page(request, *, fields, template, success_message):
    from apps.core.errors import DomainError
    from apps.graduates import forms as gforms
    from apps.graduates.services import graduate_update, origin_suggestion

    graduate = Graduate.objects.select_related("school", "college", "major", "origin_division").get(
        pk=request.user.graduate_id
    )
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    error, field_errors = None, {}
    values = {f: getattr(graduate, "origin_division_id" if f == "origin_division" else f) for f in fields}
    if request.method == "POST":
        posted = {f: request.POST.get(f, "") for f in fields}
        try:
            changed = graduate_update(actor=request.user, graduate=graduate, changes=posted,
                                      client_address=client_address(request))
            if request.POST.get("action") == "confirm":
                from apps.graduates.services import graduate_confirm_origin

                graduate_confirm_origin(actor=request.user, graduate=graduate, client_address=client_address(request))
                messages.success(request, "生源信息已确认")
            else:
                messages.success(request, success_message if changed else "没有需要保存的修改")
            return redirect(request.path)
        except DomainError as exc:
            error, field_errors = exc.message, exc.fields
            values = posted
    suggestion = origin_suggestion(graduate) if "origin_division" in fields and not graduate.origin_division_id else None
    if suggestion and request.method == "GET" and request.GET.get("use_suggestion"):
        values["origin_division"] = suggestion.code  # shown in the picker; saved only on 保存
    context = {
        "tab": "register",
        "graduate": graduate,
        "values": values,
        "error": error,
        "field_errors": field_errors,
        "enrolment_rows": _readonly_rows(graduate, gforms.ENROLMENT_FIELDS),
        "basic_rows": _readonly_rows(graduate, gforms.BASIC_FIELDS),
        "suggestion": suggestion,
    }
    return render(request, template, context)


@role_required(Role.GRADUATE)
def origin_view(request):
    from apps.graduates.forms import ORIGIN_FORM_FIELDS

    return _edit_page(request, fields=ORIGIN_FORM_FIELDS, template="graduates/origin.html",
                      success_message="已保存。请核对无误后点击“确认”。")


@role_required(Role.GRADUATE)
def contacts_view(request):
    from apps.graduates.forms import CONTACT_FORM_FIELDS

    return _edit_page(request, fields=CONTACT_FORM_FIELDS, template="graduates/contacts.html",
                      success_message="联系方式已保存")


@role_required(Role.GRADUATE)
def history_view(request):
    from apps.audit.selectors import graduate_history

    page = paginate(request, graduate_history(actor=request.user, graduate_id=request.user.graduate_id))
    return render(request, "graduates/history.html", {"tab": "me", "page": page})


@role_required(*REVIEWERS, Role.PROVINCE_STAFF)
def staff_graduate_history_view(request, pk: int):
    from apps.audit.selectors import graduate_history

    graduate = get_visible(Graduate, request.user, pk=pk)
    page = paginate(request, graduate_history(actor=request.user, graduate_id=graduate.pk).select_related("actor"))
    return render(request, "graduates/staff_history.html", {"graduate": graduate, "page": page})
