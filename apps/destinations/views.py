"""毕业去向登记 pages: the graduate's form with proof uploads (mobile) and the staff review
queue and detail (desktop). Thin: parse, fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, role_required
from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import DomainError
from apps.core.files import private_file_response
from apps.core.images import MAX_IMAGES_PER_ITEM
from apps.core.listing import bounded_page
from apps.core.net import client_address, safe_return_url
from apps.core.pagination import int_or_none, querystring_without_page
from apps.destinations import catalog, presenters
from apps.destinations.forms import queue_filters
from apps.destinations.models import Destination, DestinationStatus, ProofImage
from apps.destinations.selectors import destination_of, review_queue
from apps.destinations.services import (
    destination_add_image,
    destination_batch_approve,
    destination_delete_image,
    destination_review,
    destination_save,
    destination_submit,
)
from apps.graduates.models import Graduate
from apps.organisations.models import College, Major

QUEUE_PAGE_SIZE = 30


# --- graduate ------------------------------------------------------------------------------

def _own_graduate(request) -> Graduate:
    return Graduate.objects.select_related("school", "college", "major").get(pk=request.user.graduate_id)


def _destination_history(request, graduate_id: int):
    from apps.audit.selectors import graduate_history

    return graduate_history(actor=request.user, graduate_id=graduate_id).filter(action__startswith="destination.")[:30]


@role_required(Role.GRADUATE)
def destination_view(request):
    """The registration page: status, 注意事项, category, form, proof images, 提交审核."""
    graduate = _own_graduate(request)
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    destination = destination_of(graduate.pk)
    error, field_errors, posted = None, {}, None

    if request.method == "POST":
        posted = {name: request.POST.get(name, "") for name in catalog.ALL_FIELDS}
        posted_category = request.POST.get("category_code", "")
        try:
            destination_save(actor=request.user, graduate=graduate, category_code=posted_category, data=posted,
                             client_address=client_address(request))
        except DomainError as exc:
            error, field_errors = exc.message, exc.fields
        else:
            saved = catalog.category(posted_category)
            if saved is not None and saved.proof_required:
                messages.success(request, "已保存。请按审核依据上传证明材料，然后点击“提交审核”。")
            else:
                messages.success(request, "已保存。请核对无误后点击“提交审核”。")
            return redirect("graduate-destination")

    block = presenters.edit_block(request.user, graduate, destination)
    editable = not block
    state = presenters.destination_state(destination, viewer_role=Role.GRADUATE, graduate=graduate)
    chosen_code = (request.POST.get("category_code") if posted is not None else request.GET.get("category")) or (
        destination.category_code if destination else "")
    category = catalog.category(chosen_code) if chosen_code else None
    if category is not None and not category.selectable and (destination is None or category.code != destination.category_code):
        category = None
    if not editable:  # read-only: always the stored record
        category = catalog.category(destination.category_code) if destination else None
    values = posted if posted is not None else presenters.form_values(destination)
    saved_here = destination is not None and category is not None and category.code == destination.category_code
    images = list(destination.images.all()) if destination else []
    context = {
        "tab": "register",
        "graduate": graduate,
        "destination": destination,
        "state": state,
        "editable": editable,
        "category": category,
        "category_groups": presenters.category_groups() if editable else [],
        "rows": presenters.form_rows(category, values, field_errors) if category and editable else [],
        "readonly_rows": presenters.display_rows(destination, category) if destination and not editable else [],
        "saved_here": saved_here,
        "images": images,
        "image_slots": MAX_IMAGES_PER_ITEM - len(images),
        "max_images": MAX_IMAGES_PER_ITEM,
        "four_donts": presenters.FOUR_DONTS,
        "error": error,
        "field_errors": field_errors,
        "history": _destination_history(request, graduate.pk),
    }
    return render(request, "destinations/graduate_form.html", context)


@require_POST
@role_required(Role.GRADUATE)
def destination_images_add_view(request):
    graduate = _own_graduate(request)
    files = request.FILES.getlist("images")
    if not files:
        messages.error(request, "请选择要上传的图片")
        return redirect(reverse("graduate-destination") + "#proof")
    added, refused = 0, []
    for uploaded in files:
        try:
            destination_add_image(actor=request.user, graduate=graduate, uploaded=uploaded,
                                  client_address=client_address(request))
            added += 1
        except DomainError as exc:
            refused.append(f"{_file_label(uploaded.name)}：{exc.message}")
            if exc.code not in ("image_invalid", "image_corrupt", "image_too_large", "image_too_many_pixels"):
                break  # count, status or deadline: the next file would be refused the same way
    if added:
        messages.success(request, f"已上传{added}张证明材料")
    for text in refused:
        messages.error(request, text)
    return redirect(reverse("graduate-destination") + "#proof")


def _file_label(name: str | None) -> str:
    """The user's file name for a message (never used as a path)."""
    base = str(name or "图片").replace("\\", "/").rsplit("/", 1)[-1]
    return base[:60] or "图片"


@require_POST
@role_required(Role.GRADUATE)
def destination_image_delete_view(request, pk: int):
    image = get_visible(ProofImage, request.user, pk=pk)
    try:
        destination_delete_image(actor=request.user, image=image, client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除该图片")
    return redirect(reverse("graduate-destination") + "#proof")


@require_POST
@role_required(Role.GRADUATE)
def destination_submit_view(request):
    graduate = _own_graduate(request)
    try:
        destination_submit(actor=request.user, graduate=graduate, client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已提交审核，请等待院系审核。")
    return redirect("graduate-destination")


def destination_image_view(request, pk: int):
    """A proof image: the owner sees their own, reviewers those in their scope; anyone else 404."""
    image = get_visible(ProofImage, request.user, pk=pk)
    return private_file_response(image.file)


# --- staff ---------------------------------------------------------------------------------


@role_required(*REVIEWERS, Role.PROVINCE_STAFF)
def staff_queue_view(request):
    filters, status = queue_filters(request.user, request.GET)
    page = bounded_page(request, review_queue(actor=request.user, filters=filters).prefetch_related(_image_ids()),
                        per_page=QUEUE_PAGE_SIZE)
    every = catalog.categories()
    names = presenters.category_names(every)
    acts_on = presenters.reviewable_status(request.user)
    rows = [{"d": d, "category": names.get(d.category_code, d.category_code), "headline": presenters.headline(d),
             "images": len(d.images.all()), "badge": presenters.status_badge(d.status),
             "can_review": d.status == acts_on} for d in page.object_list]
    colleges = visible_to(College, request.user).order_by("name")
    return render(request, "destinations/staff_queue.html", {
        "page": page,
        "rows": rows,
        "filters": filters,
        "status": status,
        "statuses": DestinationStatus.choices,
        "category_groups": presenters.category_groups(every, selectable_only=False),
        "colleges": colleges,
        "majors": _majors(request.user, filters.college_id),
        "querystring": querystring_without_page(request),
        "full_querystring": request.GET.urlencode(),
        "acts_on_label": DestinationStatus(acts_on).label if acts_on else "",
        # 省级: reads the province's destinations; reviewing stays with colleges and schools
        "read_only": request.user.role == Role.PROVINCE_STAFF,
    })


def _image_ids():
    """The queue counts proof images per row: their ids only, one query per page."""
    return Prefetch("images", queryset=ProofImage.objects.only("id", "destination_id"))


def _majors(actor, college_id):
    """The major filter's options: the chosen college's, or all of a college admin's own."""
    majors = visible_to(Major, actor).order_by("name")
    if college_id:
        return majors.filter(college_id=college_id)
    return majors if actor.role == Role.COLLEGE_STAFF else []



def _back_to_queue(request) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_return_url(request, request.POST.get("next", ""), within=reverse("staff-destinations")) or reverse("staff-destinations"))


@require_POST
@role_required(*REVIEWERS)
def staff_batch_approve_view(request):
    ids = [i for i in (int_or_none(v) for v in request.POST.getlist("ids")) if i is not None]
    if not ids:
        messages.error(request, "请先勾选要通过的记录")
        return _back_to_queue(request)
    destinations = list(visible_to(Destination, request.user).select_related("graduate").filter(pk__in=ids).order_by("pk"))
    result = destination_batch_approve(actor=request.user, destinations=destinations,
                                       client_address=client_address(request))
    by_id = {d.pk: d for d in destinations}
    if result["approved"]:
        messages.success(request, f"已批量通过{len(result['approved'])}条记录")
    for pk, message in result["refused"].items():
        d = by_id[pk]
        messages.error(request, f"{d.graduate.name}（{d.graduate.student_number}）未通过：{message}")
    missing = len(set(ids) - set(by_id))
    if missing:
        messages.error(request, f"{missing}条记录不存在或无权访问")
    return _back_to_queue(request)


def _staff_destination(request, pk: int) -> Destination:
    return get_visible(
        Destination.objects.select_related("graduate", "graduate__major", "college", "school", "unit_division")
        .prefetch_related("images"), request.user, pk=pk)


@role_required(*REVIEWERS, Role.PROVINCE_STAFF)
def staff_destination_detail_view(request, pk: int):
    destination = _staff_destination(request, pk)
    category = catalog.category(destination.category_code)
    state = presenters.destination_state(destination, viewer_role=request.user.role)
    return render(request, "destinations/staff_detail.html", {
        "d": destination,
        "g": destination.graduate,
        "category": category,
        "rows": presenters.display_rows(destination, category),
        "images": list(destination.images.all()),
        "state": state,
        "can_review": state["may_review"],
        "level": "初审" if request.user.role == Role.COLLEGE_STAFF else "终审",
        "history": _destination_history(request, destination.graduate_id),
        "next": safe_return_url(request, request.GET.get("next", ""), within=reverse("staff-destinations")),
    })


@require_POST
@role_required(*REVIEWERS)
def staff_destination_review_view(request, pk: int):
    destination = _staff_destination(request, pk)
    action = request.POST.get("action")
    if action not in ("approve", "return"):
        messages.error(request, "请选择通过或退回")
        return redirect("staff-destination-detail", pk=pk)
    try:
        destination_review(actor=request.user, destination=destination, approve=action == "approve",
                           reason=request.POST.get("reason", ""), client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("staff-destination-detail", pk=pk)
    g = destination.graduate
    verb = f"已{destination.get_status_display()}" if action == "approve" else "已退回"
    messages.success(request, f"{g.name}（{g.student_number}）的毕业去向{verb}")
    return _back_to_queue(request)
