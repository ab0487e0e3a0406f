"""Pages of 档案转寄登记: the graduate's form (mobile) and the staff list (desktop)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, SCHOOL_STAFF, require_role, role_required
from apps.accounts.scoping import get_visible, visible_to
from apps.archives import services
from apps.archives.models import ArchiveTransfer, TransferMethod
from apps.archives.selectors import STATUS_FILTERS, ArchiveFilters, archive_of_graduate, archives_by_ids, archives_list
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import int_or_none
from apps.core.text import normalise
from apps.graduates.models import Graduate
from apps.organisations.models import College

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _values_of(transfer: ArchiveTransfer) -> dict:
    values = {name: getattr(transfer, name) for name in services.FORM_FIELDS if name != "address_division"}
    values["address_division"] = transfer.address_division_id or ""
    return values


_BOOLEANS = ("accepts_archive", "accepts_household", "deferred")


def _posted(request) -> dict:
    values = {name: request.POST.get(name, "") for name in services.FORM_FIELDS}
    for name in _BOOLEANS:  # a select (是/否) or an unticked checkbox (absent → 否)
        values[name] = request.POST.get(name, "") in ("1", "on", "true")
    return values


def _form_context(*, values, error=None, field_errors=None) -> dict:
    return {"values": values, "error": error, "field_errors": field_errors or {}, "methods": TransferMethod.choices}


# --- graduate ------------------------------------------------------------------------------

@role_required(Role.GRADUATE)
def archive_view(request):
    graduate = Graduate.objects.select_related("origin_division").get(pk=request.user.graduate_id)
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    transfer = archive_of_graduate(actor=request.user, graduate_id=graduate.pk)
    defaults = None
    error, field_errors = None, {}
    if transfer is not None:
        values = _values_of(transfer)
    else:
        defaults = services.archive_defaults(graduate)
        values = dict(defaults.values)
    if request.method == "POST":
        values = _posted(request)
        try:
            services.archive_save(actor=request.user, graduate=graduate, data=values,
                                  client_address=client_address(request))
        except DomainError as exc:
            error, field_errors = exc.message, exc.fields
        else:
            messages.success(request, "档案转寄信息已保存")
            return redirect("graduate-archive")
    context = {"tab": "register", "graduate": graduate, "transfer": transfer, "defaults": defaults,
               **_form_context(values=values, error=error, field_errors=field_errors)}
    return render(request, "archives/archive.html", context, status=400 if error else 200)


# --- staff ---------------------------------------------------------------------------------


def _filters(request, data=None) -> ArchiveFilters:
    data = request.GET if data is None else data
    if "cohort" in data:
        cohort = int_or_none(data.get("cohort"))
    else:  # first visit: the school's current cohort
        cohort = request.user.school.current_cohort if request.user.school_id else None
    return ArchiveFilters(
        cohort=cohort,
        college_id=int_or_none(data.get("college")),
        status=data.get("status", "") if data.get("status", "") in STATUS_FILTERS else "",
        transfer_method=data.get("method", "") if data.get("method", "") in TransferMethod.values else "",
        keyword=data.get("q", ""),
    )


def _querystring(filters: ArchiveFilters) -> str:
    from urllib.parse import urlencode

    return urlencode({"cohort": filters.cohort or "", "college": filters.college_id or "", "status": filters.status,
                      "method": filters.transfer_method, "q": filters.keyword})


@role_required(*REVIEWERS)
def staff_list_view(request, *, report=None, upload_error=None, tracking_error=None, tracking_fields=None,
                    status=200):
    filters = _filters(request)
    page = bounded_page(request, archives_list(actor=request.user, filters=filters), per_page=30)
    return render(request, "archives/staff_list.html", {
        "page": page,
        "filters": filters,
        "colleges": visible_to(College, request.user),
        "statuses": STATUS_FILTERS,
        "methods": TransferMethod.choices,
        "querystring": _querystring(filters),
        "can_set_tracking": request.user.role == Role.SCHOOL_STAFF,
        "report": report,
        "upload_error": upload_error,
        "tracking_error": tracking_error,
        "tracking_fields": tracking_fields or {},
    }, status=status)


@require_POST
@role_required(*REVIEWERS)
def staff_export_view(request):
    """The selected rows (checkboxes), or — with none selected — the whole filtered list."""
    filters = _filters(request, request.POST)
    ids = request.POST.getlist("ids")
    rows = (archives_by_ids(actor=request.user, ids=ids) if ids
            else archives_list(actor=request.user, filters=filters))
    content = services.archive_export(actor=request.user, transfers=rows.iterator(chunk_size=1000),
                                      client_address=client_address(request))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "档案邮寄清单.xlsx")
    return response


@require_POST
@role_required(Role.SCHOOL_STAFF)
def staff_tracking_view(request):
    """The per-row tracking-number inputs (`tracking_<id>`); empty or unchanged ones are ignored."""
    wanted = {}
    for key, value in request.POST.items():
        if key.startswith("tracking_") and value.strip():
            pk = int_or_none(key.removeprefix("tracking_"))
            if pk is not None:
                wanted[pk] = value
    rows = {t.pk: t for t in visible_to(ArchiveTransfer, request.user).filter(pk__in=wanted)}
    pairs = [(rows[pk], number) for pk, number in wanted.items()
             if pk in rows and normalise(number).upper() != rows[pk].tracking_number]
    back = f"{reverse('staff-archives')}?{request.GET.urlencode()}"
    if not pairs:
        messages.info(request, "没有需要保存的快递单号")
        return redirect(back)
    try:
        changed = services.archive_set_tracking(actor=request.user, transfers_and_numbers=pairs,
                                                client_address=client_address(request))
    except DomainError as exc:
        return staff_list_view(request, tracking_error=exc.message, tracking_fields=exc.fields, status=400)
    messages.success(request, f"已登记{len(changed)}个快递单号，毕业生可在“档案转寄登记”中查看")
    return redirect(back)


@require_POST
@role_required(Role.SCHOOL_STAFF)
def staff_tracking_import_view(request):
    try:
        report = services.archive_tracking_import(actor=request.user, uploaded_file=request.FILES.get("file"),
                                                  client_address=client_address(request))
    except DomainError as exc:
        return staff_list_view(request, upload_error=exc.message, status=400)
    if report.applied:
        messages.success(request, report.message)
    return staff_list_view(request, report=report, status=200 if report.applied else 400)


@role_required(*REVIEWERS)
def staff_detail_view(request, pk: int):
    """One record; school staff may correct it (the graduate is told through the history)."""
    transfer = get_visible(ArchiveTransfer.objects.select_related("graduate", "college", "address_division"),
                           request.user, pk=pk)
    error, field_errors, values = None, {}, _values_of(transfer)
    if request.method == "POST":
        require_role(request.user, SCHOOL_STAFF)  # college staff read only
        values = _posted(request)
        try:
            services.archive_save(actor=request.user, graduate=transfer.graduate, data=values,
                                  client_address=client_address(request))
        except DomainError as exc:
            error, field_errors = exc.message, exc.fields
        else:
            messages.success(request, "档案转寄信息已更正")
            return redirect("staff-archive-detail", pk=pk)
    return render(request, "archives/staff_detail.html", {
        "transfer": transfer, "graduate": transfer.graduate, "can_edit": request.user.role == Role.SCHOOL_STAFF,
        **_form_context(values=values, error=error, field_errors=field_errors),
    }, status=400 if error else 200)
