"""The graduate's 简历维护 pages (phone, tab 我的). Thin: parse, fetch the own item, call one
service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.resumes import services
from apps.resumes.documents import resume_pdf_download
from apps.resumes.presenters import resume_completeness, resume_sections, resume_visibility_state
from apps.resumes.sections import ITEM_COLUMNS, MAX_ITEMS_PER_SECTION, MAX_SELF_EVALUATION, SECTIONS, section_spec
from apps.resumes.selectors import own_graduate, own_item_get, own_items, own_resume
from apps.resumes.snapshot import resume_basic, resume_snapshot

TAB = "me"


def _anchor(section: str) -> str:
    return f"{reverse('resume-home')}#section-{section}"


@role_required(Role.GRADUATE)
def resume_home_view(request):
    graduate = own_graduate(request.user)
    resume = own_resume(request.user)
    items = own_items(request.user)
    basic = resume_basic(graduate)
    return render(request, "resumes/home.html", {
        "tab": TAB,
        "basic": basic,
        "resume": resume,
        "sections": resume_sections(items),
        "completeness": resume_completeness(resume, items, basic=basic),
        "visibility": resume_visibility_state(resume),
        "self_evaluation": resume.self_evaluation if resume else "",
        "max_self_evaluation": MAX_SELF_EVALUATION,
        "max_items": MAX_ITEMS_PER_SECTION,
        "has_items": bool(items),
    })


def _item_form(request, *, spec, item=None):
    values = {name: getattr(item, name) if item else "" for name in ITEM_COLUMNS}
    error, field_errors = None, {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in ITEM_COLUMNS}
        try:
            services.resume_item_save(actor=request.user, item=item, section=spec.key, data=values)
        except DomainError as exc:
            if exc.status != 400:
                raise
            error, field_errors = exc.message, exc.fields
        else:
            messages.success(request, f"{spec.label}已保存")
            return redirect(_anchor(spec.key))
    fields = [{"spec": f, "value": values.get(f.name, ""), "error": field_errors.get(f.name, "")}
              for f in spec.fields]
    return render(request, "resumes/item_form.html", {
        "tab": TAB, "spec": spec, "item": item, "fields": fields, "error": error,
        "cancel_url": _anchor(spec.key),
    }, status=400 if error else 200)


@role_required(Role.GRADUATE)
def resume_item_new_view(request):
    key = request.POST.get("section") if request.method == "POST" else request.GET.get("section")
    if key not in SECTIONS:
        messages.error(request, "请选择要添加的简历栏目")
        return redirect("resume-home")
    return _item_form(request, spec=section_spec(key))


@role_required(Role.GRADUATE)
def resume_item_edit_view(request, pk: int):
    item = own_item_get(actor=request.user, pk=pk)
    return _item_form(request, spec=section_spec(item.section), item=item)


@require_POST
@role_required(Role.GRADUATE)
def resume_item_delete_view(request, pk: int):
    item = own_item_get(actor=request.user, pk=pk)
    services.resume_item_delete(actor=request.user, item=item)
    messages.success(request, f"已删除一条{section_spec(item.section).label}")
    return redirect(_anchor(item.section))


@require_POST
@role_required(Role.GRADUATE)
def resume_item_move_view(request, pk: int):
    item = own_item_get(actor=request.user, pk=pk)
    try:
        services.resume_item_move(actor=request.user, item=item, direction=request.POST.get("direction", ""))
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    return redirect(_anchor(item.section))


def _switch(value: str | None) -> bool | None:
    if value is None:
        return None
    return value in {"1", "on", "true"}


@require_POST
@role_required(Role.GRADUATE)
def resume_settings_view(request):
    self_evaluation = request.POST.get("self_evaluation")  # absent: unchanged
    discoverable = _switch(request.POST.get("discoverable"))
    try:
        services.resume_update(actor=request.user, self_evaluation=self_evaluation, discoverable=discoverable)
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
        return redirect(f"{reverse('resume-home')}#self-evaluation")
    if discoverable is not None:
        messages.success(request, "已允许已认证单位查找您的简历" if discoverable else "已关闭单位查找")
        return redirect(f"{reverse('resume-home')}#visibility")
    messages.success(request, "自我评价已保存")
    return redirect(f"{reverse('resume-home')}#self-evaluation")


@role_required(Role.GRADUATE)
def resume_preview_view(request):
    graduate = own_graduate(request.user)
    return render(request, "resumes/preview.html", {"tab": TAB, "snapshot": resume_snapshot(graduate)})


@role_required(Role.GRADUATE)
def resume_pdf_view(request):
    graduate = own_graduate(request.user)
    return resume_pdf_download(actor=request.user, graduate=graduate)
