"""毕业生查询 API (/api/v1/directory/): the directory page's list, graduate page and export, read
through the same selectors (apps.graduates.selectors.graduates_list / graduate_staff_view), so
the API never shows a graduate, a filter result or a field the pages would not."""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse
from ninja import Field, Query, Router, Schema

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, require_role
from apps.accounts.scoping import get_visible
from apps.audit.presenters import history_rows
from apps.core.api import AUTH
from apps.core.exports import XLSX_CONTENT_TYPE
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import MAX_ID, PageNumber, PageSize, api_page_bounds
from apps.graduates.models import Graduate
from apps.graduates.presenters import graduate_detail
from apps.graduates.selectors import (
    destination_field_rows,
    directory_filters,
    directory_row,
    graduate_staff_view,
    graduates_list,
    keyword_capped_total,
    profile_sections,
    signed_online_exists,
)
from apps.reference.selectors import code_label

router = Router(tags=["毕业生查询"], auth=AUTH)

DIRECTORY_READERS = REVIEWERS + (Role.PROVINCE_STAFF,)


class DirectoryGraduateOut(Schema):
    id: int
    name: str
    student_number: str
    id_number_masked: str
    school: str
    college: str
    major: str
    education_level: str
    cohort: int
    destination_category: str  # 「未登记」 without a destination
    destination_status: str
    origin_confirmed: bool
    signed_online: bool


class DirectoryGraduatePage(Schema):
    count: int  # exact, or the cap when count_capped (「超过 N 条」)
    count_capped: bool
    has_next: bool  # walk pages by this: pages stop at LIST_MAX_PAGE
    page: int
    page_size: int
    items: list[DirectoryGraduateOut]


class DirectoryFieldOut(Schema):
    group: str
    label: str
    value: str  # as staff read it: codes by name, ID number and phones masked


class DirectoryStateOut(Schema):
    title: str
    text: str
    tone: str


class DirectoryDestinationOut(Schema):
    id: int
    category_code: str
    category_name: str
    status: str
    status_label: str
    source_label: str
    submitted_at: datetime | None
    fields: list[DirectoryFieldOut]
    state: DirectoryStateOut


class DirectoryHistoryOut(Schema):
    occurred_at: datetime
    actor_kind: str
    actor_label: str
    action: str
    summary: str
    rows: list[dict[str, str]]


class DirectoryInvitationOut(Schema):
    id: int
    unit_name: str
    position_name: str
    status: str
    status_label: str
    created_at: datetime


class DirectoryAgreementOut(Schema):
    id: int
    number: str
    unit_name: str
    status: str
    accepted_at: datetime
    state: DirectoryStateOut


class DirectoryTerminationOut(Schema):
    id: int
    agreement_number: str
    reason_label: str
    status: str
    status_label: str  # the review's state (the termination page has the full explanation)
    submitted_at: datetime


class DirectoryCorrectionOut(Schema):
    id: int
    kind_label: str
    status: str
    status_label: str
    created_at: datetime


class DirectoryArchiveOut(Schema):
    id: int
    receiving_unit_name: str
    transfer_method_label: str
    status: str
    status_label: str
    deferred: bool
    tracking_number: str


class DirectoryGraduateDetailOut(DirectoryGraduateOut):
    gender: str
    origin_division: str
    phone_masked: str
    origin_confirmed_at: datetime | None
    has_signing_pin: bool
    profile: list[DirectoryFieldOut]
    destination: DirectoryDestinationOut | None
    destination_history: list[DirectoryHistoryOut]
    invitations: list[DirectoryInvitationOut]
    agreements: list[DirectoryAgreementOut]
    terminations: list[DirectoryTerminationOut]
    corrections: list[DirectoryCorrectionOut]
    archive: DirectoryArchiveOut | None
    audit: list[DirectoryHistoryOut]
    audit_more: bool  # more entries than shown: GET /api/v1/graduates/{id}/history pages them


class DirectoryFilterQuery(Schema):
    """The directory's filters as query parameters: one declaration for the list and the export."""

    q: str = ""
    cohort: int | None = Field(None, ge=2000, le=2100, description="届别（毕业年份，如2026）")
    school_id: int | None = Field(None, ge=1, le=MAX_ID, description="按编号筛选（省略为不筛选）")
    college_id: int | None = Field(None, ge=1, le=MAX_ID, description="按编号筛选（省略为不筛选）")
    major_id: int | None = Field(None, ge=1, le=MAX_ID, description="按编号筛选（省略为不筛选）")
    education_level_code: str = ""
    origin_province: str = ""
    category: str = ""
    status: str = ""
    confirmed: str = ""
    signed: str = ""
    hardship: str = ""
    normal: str = ""


def _filters(request, query: DirectoryFilterQuery):
    values = query.dict()
    return directory_filters(actor=request.user, level=values.pop("education_level_code"), **values)


_FILTER_DOC = ("q：姓名开头、完整学号或身份证号后四位；category：毕业去向代码（含下级代码），none 为未登记；"
               "status：审核状态；confirmed / signed：yes 或 no；不认识的筛选值不生效")


@router.get("/graduates", response=DirectoryGraduatePage, summary="工作人员：毕业生查询（分页，最多前 200 页）",
            description=_FILTER_DOC)
def directory_list(
    request,
    query: Query[DirectoryFilterQuery],
    page: PageNumber = 1,
    page_size: PageSize = 30,
):
    require_role(request.user, DIRECTORY_READERS)
    page, page_size, _start = api_page_bounds(page, page_size)
    filters = _filters(request, query)
    qs = graduates_list(actor=request.user, filters=filters)
    listed = bounded_api_page(qs, page=page, page_size=page_size)
    keyword_capped_total(listed, qs)
    return {
        "count": listed.total,
        "count_capped": listed.total_capped,
        "has_next": listed.has_next,
        "page": page,
        "page_size": page_size,
        "items": [vars(directory_row(g)) for g in listed.object_list],
    }


@router.get("/graduates.xlsx", summary="工作人员：导出毕业生查询结果（xlsx，与列表相同的筛选；身份证号脱敏；记入审计）",
            description=_FILTER_DOC)
def directory_export_file(
    request,
    query: Query[DirectoryFilterQuery],
):
    from apps.graduates.exports_directory import directory_export

    require_role(request.user, DIRECTORY_READERS)
    filters = _filters(request, query)
    export = directory_export(actor=request.user, filters=filters, client_address=client_address(request))
    response = FileResponse(export.file, as_attachment=True, filename=export.filename,
                            content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    response["X-Export-Rows"] = str(export.rows)
    return response


def _state(state) -> dict:
    return {"title": state.title, "text": state.text, "tone": state.tone}


def _history(entry) -> dict:
    return {"occurred_at": entry.occurred_at, "actor_kind": entry.actor_kind, "actor_label": entry.actor_label,
            "action": entry.action, "summary": entry.summary, "rows": history_rows(entry.changes)}


@router.get("/graduates/{graduate_id}", response=DirectoryGraduateDetailOut,
            summary="工作人员：毕业生页面（生源、联系方式、去向及其记录、网签、解约、纠错、档案转寄、操作记录；个人号码脱敏）")
def directory_detail(request, graduate_id: int):
    from apps.destinations.presenters import destination_state
    from apps.signing.presenters import agreement_state

    require_role(request.user, DIRECTORY_READERS)
    role = request.user.role
    graduate = get_visible(Graduate.objects.select_related("school", "college", "major", "origin_division")
                           .annotate(signed_online=signed_online_exists()), request.user, pk=graduate_id)
    view = graduate_staff_view(actor=request.user, graduate=graduate)
    data = vars(directory_row(graduate))
    base = graduate_detail(graduate)
    destination = view.destination
    dest_state = destination_state(destination, viewer_role=role, graduate=graduate)
    data.update({
        "gender": base["gender"],
        "origin_division": base["origin_division"],
        "phone_masked": base["phone_masked"],
        "origin_confirmed_at": graduate.origin_confirmed_at,
        "has_signing_pin": base["has_signing_pin"],
        "profile": [{"group": s["title"], "label": r["label"], "value": r["value"]}
                    for s in profile_sections(graduate) for r in s["rows"]],
        "destination": None if destination is None else {
            "id": destination.pk, "category_code": destination.category_code,
            "category_name": code_label("destination", destination.category_code),
            "status": destination.status, "status_label": destination.get_status_display(),
            "source_label": destination.get_source_display(), "submitted_at": destination.submitted_at,
            "fields": [{"group": "毕业去向", "label": r["label"], "value": r["value"]}
                       for r in destination_field_rows(destination)],
            "state": {"title": dest_state["title"], "text": dest_state["explanation"], "tone": dest_state["badge"]},
        },
        "destination_history": [_history(e) for e in view.destination_history],
        "invitations": [{"id": i.pk, "unit_name": i.unit_name, "position_name": i.position_name, "status": i.status,
                         "status_label": i.get_status_display(), "created_at": i.created_at}
                        for i in view.invitations],
        "agreements": [{"id": a.pk, "number": a.number, "unit_name": a.invitation.unit_name, "status": a.status,
                        "accepted_at": a.accepted_at, "state": _state(agreement_state(a, viewer_role=role))}
                       for a in view.agreements],
        "terminations": [{"id": t.pk, "agreement_number": t.agreement.number, "reason_label": t.get_reason_display(),
                          "status": t.status, "status_label": t.get_status_display(),
                          "submitted_at": t.submitted_at} for t in view.terminations],
        "corrections": [{"id": c.pk, "kind_label": c.get_kind_display(), "status": c.status,
                         "status_label": c.get_status_display(), "created_at": c.created_at}
                        for c in view.corrections],
        "archive": None if view.archive is None else {
            "id": view.archive.pk, "receiving_unit_name": view.archive.receiving_unit_name,
            "transfer_method_label": view.archive.get_transfer_method_display(), "status": view.archive.status,
            "status_label": view.archive.get_status_display(), "deferred": view.archive.deferred,
            "tracking_number": view.archive.tracking_number,
        },
        "audit": [_history(e) for e in view.audit],
        "audit_more": view.audit_more,
    })
    return data

