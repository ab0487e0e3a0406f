"""Staff pages of 宣讲会 (desktop): rooms with a week's occupancy, the request queue, one
session with the allocation form (free rooms for its slot, taken ones named), reject and
cancel. School staff act for their school; province staff read. Thin views."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.pagination import querystring_without_page
from apps.infosessions import services
from apps.infosessions.presenters import session_state
from apps.infosessions.selectors import (
    ALL_STATUSES,
    STATUS_FILTERS,
    QueueFilters,
    room_get,
    room_week_grid,
    rooms_for_slot,
    rooms_of,
    session_get,
    sessions_queue,
    week_start,
)

READERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
STATUS_FILTERS_VALUES = tuple(value for value, _ in STATUS_FILTERS)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


_WEEKDAYS = "一二三四五六日"
# the legal-form tail a grid cell leaves out (the cell's title has the whole name)
_UNIT_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "公司")


def _unit_short(name: str) -> str:
    for suffix in _UNIT_SUFFIXES:
        if name.endswith(suffix):
            # the longest tail only, and never down to nothing
            return name[:-len(suffix)] if len(name) > len(suffix) else name
    return name


def _grid_view(grid):
    """The week's grid turned for a 1366 px screen: per room one row per slot, the 7 days as
    columns; an occupied cell names the unit (short) and the topic. Reads nothing more."""
    if grid is None:
        return None
    rows = []
    for room, days in grid.rows:
        for cells in days:
            for cell in cells:
                if cell is not None:
                    cell.unit_short = _unit_short(cell.employer.name)
        rows.append((room, [(slot, [cells[i] for cells in days]) for i, slot in enumerate(grid.slots)]))
    return {"days": [(d, f"周{_WEEKDAYS[d.weekday()]}") for d in grid.days], "rows": rows}


def _rooms_page(request, *, error: str = "", field_errors=None, posted=None, status: int = 200):
    # ?week= (the previous / next buttons) wins over ?day= (the date field sent alongside)
    start = week_start(_date(request.GET.get("week")) or _date(request.GET.get("day")))
    grid = room_week_grid(actor=request.user, start=start) if request.user.role == Role.SCHOOL_STAFF else None
    return render(request, "infosessions/staff_rooms.html", {
        "rooms": list(rooms_of(actor=request.user)[:500]), "grid": _grid_view(grid), "week": start,
        "previous_week": date.fromordinal(start.toordinal() - 7), "next_week": date.fromordinal(start.toordinal() + 7),
        "error": error, "field_errors": field_errors or {}, "posted": posted or {},
        "capacity_max": services.ROOM_CAPACITY_MAX, "may_edit": request.user.role == Role.SCHOOL_STAFF,
    }, status=status)


@role_required(*READERS)
def staff_rooms_view(request):
    if request.method == "POST":
        try:
            room = services.room_create(actor=request.user, name=request.POST.get("name", ""),
                                        capacity=request.POST.get("capacity", ""))
        except DomainError as exc:
            if exc.status != 400:
                raise
            return _rooms_page(request, error=exc.message, field_errors=exc.fields, posted=request.POST, status=400)
        messages.success(request, f"已添加场地“{room.name}”")
        return redirect("staff-rooms")
    return _rooms_page(request)


@require_POST
@role_required(Role.SCHOOL_STAFF)
def staff_room_edit_view(request, pk: int):
    room = room_get(actor=request.user, pk=pk)
    try:
        services.room_update(actor=request.user, room=room, name=request.POST.get("name", ""),
                             capacity=request.POST.get("capacity", ""),
                             active=True if request.POST.get("active") == "1" else None)
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "场地已保存")
    return redirect("staff-rooms")


@require_POST
@role_required(Role.SCHOOL_STAFF)
def staff_room_deactivate_view(request, pk: int):
    room = room_get(actor=request.user, pk=pk)
    try:
        services.room_deactivate(actor=request.user, room=room)
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, f"场地“{room.name}”已停用")
    return redirect("staff-rooms")


@role_required(*READERS)
def staff_sessions_view(request):
    status = request.GET.get("status", "pending")
    if status not in (*STATUS_FILTERS_VALUES, ALL_STATUSES):
        status = "pending"
    filters = QueueFilters(status=status, date_from=_date(request.GET.get("date_from")),
                           date_to=_date(request.GET.get("date_to")))
    page = bounded_page(request, sessions_queue(actor=request.user, filters=filters), per_page=30)
    rows = [(s, session_state(s, viewer_role=request.user.role, actor=request.user)) for s in page]
    return render(request, "infosessions/staff_queue.html", {
        "page": page, "rows": rows, "filters": filters, "statuses": STATUS_FILTERS,
        "querystring": querystring_without_page(request),
    })



def _session_page(request, session, *, error: str = "", field_errors=None, posted=None, status: int = 200):
    deciding = request.user.role == Role.SCHOOL_STAFF and request.user.school_id == session.school_id
    return render(request, "infosessions/staff_detail.html", {
        "s": session, "state": session_state(session, viewer_role=request.user.role, actor=request.user),
        "deciding": deciding, "choices": rooms_for_slot(session) if deciding and session.status == "pending" else [],
        "postings": list(session.postings.all()), "error": error, "field_errors": field_errors or {},
        "posted": posted or {},
    }, status=status)


@role_required(*READERS)
def staff_session_view(request, pk: int):
    return _session_page(request, session_get(actor=request.user, pk=pk))


@require_POST
@role_required(Role.SCHOOL_STAFF)
def staff_session_decide_view(request, pk: int):
    session = session_get(actor=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "allocate":
            room_id = request.POST.get("room", "")
            session = services.session_allocate(actor=request.user, session=session, room_id=room_id)
            warning = services.allocation_warning(session, session.room)
            done = f"已安排在{session.room.name}，已通知用人单位" + (f"。注意：{warning}" if warning else "")
        elif action == "reject":
            services.session_reject(actor=request.user, session=session, reason=request.POST.get("reason", ""))
            done = "已驳回，已通知用人单位"
        elif action == "cancel":
            services.session_cancel(actor=request.user, session=session, reason=request.POST.get("reason", ""))
            done = "宣讲会已取消，已通知用人单位和已报名的毕业生"
        else:
            raise DomainError("请选择办理方式", code="bad_action")
    except DomainError as exc:
        if exc.status not in (400, 403):
            raise
        return _session_page(request, session_get(actor=request.user, pk=pk), error=exc.message,
                             field_errors=exc.fields, posted=request.POST, status=exc.status)
    messages.success(request, done)
    return redirect("staff-session", pk=pk)
