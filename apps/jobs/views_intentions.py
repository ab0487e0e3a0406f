"""求职意向职位 page (【我的】【求职意向职位】, phone): the intention form and the matching
postings, best first, with their reasons. Thin: parse, call `intention_save`, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.graduates.models import Graduate
from apps.jobs.intentions import (
    CODE_CRITERIA,
    MAX_PER_CRITERION,
    SPECIAL_PLACES,
    intention_is_empty,
    intention_state,
    place_label,
    salary_band_choices,
)
from apps.jobs.matching import intention_of, matching_postings
from apps.jobs.services_intentions import intention_save

FORM_FIELDS = ("nature_codes", "industry_codes", "category_codes", "place_codes")


def posting_detail_url(pk: int) -> str:
    """The posting page of 职位搜索 (job-detail), where the graduate reads and applies."""
    return reverse("job-detail", args=(pk,))


def _place_option_html():
    """The 添加工作地点 <select>: one <optgroup> per province, the whole province first, then its
    prefecture-level cities (from the reference snapshot)."""
    from apps.reference.selectors import division_ref_children

    groups = []
    for province in division_ref_children(None):
        cities = [d for d in division_ref_children(province.code) if d.level == 2]
        options = [format_html('<option value="{}" data-keywords="{}">{}</option>', province.code[:2],
                               province.name, f"{province.name}（全省）")]
        options += [format_html('<option value="{}" data-keywords="{} {}">{}</option>', city.code[:4], province.name,
                                city.name, city.name) for city in cities]
        groups.append(format_html('<optgroup label="{}">{}</optgroup>', province.name,
                                  format_html_join("", "{}", ((o,) for o in options))))
    return format_html_join("\n", "{}", ((g,) for g in groups))


def _form_context(values: dict, field_errors: dict) -> dict:
    from apps.reference.selectors import code_labels

    criteria = []
    for criterion in CODE_CRITERIA:
        chosen = set(values.get(criterion.field) or ())
        criteria.append({
            "field": criterion.field, "label": criterion.label,
            "options": [{"code": code, "name": name, "checked": code in chosen}
                        for code, name in code_labels(criterion.table).items()],
            "count": len(chosen), "error": field_errors.get(criterion.field, ""),
        })
    places = [code for code in values.get("place_codes") or () if code not in SPECIAL_PLACES]
    return {
        "criteria": criteria,
        "places": [{"code": code, "label": place_label(code)} for code in places],
        "specials": [{"code": s.key, "label": s.label, "checked": s.key in (values.get("place_codes") or ())}
                     for s in SPECIAL_PLACES.values()],
        "place_options": _place_option_html(),
        "bands": salary_band_choices(),
        "salary_band": values.get("salary_band") or "",
        "notify": bool(values.get("notify")),
        "max_per_criterion": MAX_PER_CRITERION,
        "place_error": field_errors.get("place_codes", ""),
        "salary_error": field_errors.get("salary_band", ""),
    }


def _values(intention) -> dict:
    if intention is None:
        return {}
    return {"nature_codes": intention.nature_codes, "industry_codes": intention.industry_codes,
            "category_codes": intention.category_codes, "place_codes": intention.place_codes,
            "salary_band": intention.salary_band, "notify": intention.notify}


@role_required(Role.GRADUATE)
def intentions_view(request):
    graduate = Graduate.objects.select_related("school").get(pk=request.user.graduate_id)
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    error, field_errors = None, {}
    intention = intention_of(actor=request.user)
    if request.method == "POST":
        data = {field: request.POST.getlist(field) for field in FORM_FIELDS}
        data["salary_band"] = request.POST.get("salary_band", "")
        data["notify"] = request.POST.get("notify", "")
        try:
            intention_save(actor=request.user, data=data)
        except DomainError as exc:
            error, field_errors = exc.message, exc.fields or {}
            values = {**data, "notify": bool(data["notify"])}
        else:
            messages.success(request, "求职意向已保存")
            return redirect("job-intentions")
    else:
        values = _values(intention)
    matches = [] if intention_is_empty(intention) else matching_postings(graduate=graduate, intention=intention)
    return render(request, "jobs/intentions/page.html", {
        "tab": "me", "graduate": graduate, "state": intention_state(intention), "matches": matches,
        "error": error, "field_errors": field_errors, **_form_context(values, field_errors),
    }, status=400 if error else 200)
