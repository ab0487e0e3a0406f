"""学校设置 page; the rules live in apps/organisations/services.py."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.net import client_address
from apps.organisations.services import FIELDS, INT_FIELDS, policy_form_values, school_policy_update, shown


@role_required(Role.SCHOOL_STAFF)
def school_settings_view(request):
    school = request.user.school
    error, fields, posted = None, {}, None
    if request.method == "POST":
        posted = {name: request.POST.get(name, "") for name in FIELDS}
        try:
            school_policy_update(actor=request.user, school=school, data=posted, client_address=client_address(request))
        except DomainError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, "学校设置已保存")
            return redirect("staff-settings")
    stored, effective = policy_form_values(school)
    values = posted if posted is not None else {
        name: (shown(getattr(stored, name)) if stored and getattr(stored, name) is not None else "")
        for name in FIELDS}
    if posted is None and stored is None:
        values.update({name: str(spec[3]) for name, spec in INT_FIELDS.items()})
    return render(request, "organisations/settings.html", {
        "school": school, "values": values, "effective": effective, "error": error, "fields": fields,
        "int_fields": INT_FIELDS,
    }, status=400 if error else 200)
