"""The employer's pages of 宣讲会 (phone): its sessions, the request form, one session with
撤回. Thin: parse, fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.fairs.models import Audience
from apps.infosessions import services
from apps.infosessions.presenters import request_lead_text, session_state
from apps.infosessions.selectors import request_schools, session_get, sessions_of_employer
from apps.infosessions.slots import SLOTS
from apps.jobs.models import Posting, PostingStatus

FIELDS = ("school", "date", "slot", "audience", "topic", "description", "expected_size", "contact_name",
          "contact_phone")


@role_required(Role.EMPLOYER)
def employer_sessions_view(request):
    page = bounded_page(request, sessions_of_employer(actor=request.user), per_page=20, count=False)
    rows = [(s, session_state(s, viewer_role=Role.EMPLOYER)) for s in page]
    return render(request, "infosessions/employer_list.html", {"page": page, "rows": rows})


@role_required(Role.EMPLOYER)
def employer_session_new_view(request):
    employer = request.user.employer
    values = {"audience": Audience.SCHOOL, "contact_name": employer.contact_name or "", "posting_ids": []}
    error, field_errors = "", {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in FIELDS}
        values["posting_ids"] = request.POST.getlist("posting_ids")
        try:
            session = services.session_request(
                actor=request.user, school_id=values["school"], date=values["date"], slot=values["slot"],
                audience=values["audience"], topic=values["topic"], description=values["description"],
                expected_size=values["expected_size"], contact_name=values["contact_name"],
                contact_phone=values["contact_phone"], posting_ids=values["posting_ids"])
        except DomainError as exc:
            if exc.status != 400:
                raise
            error, field_errors = exc.message, exc.fields
        else:
            messages.success(request, "宣讲会申请已提交，学校安排场地后会通知你")
            return redirect("employer-session", pk=session.pk)
    postings = (Posting.objects.filter(employer=employer, status=PostingStatus.PUBLISHED)
                .only("id", "title").order_by("-published_at", "-id")[:services.POSTINGS_MAX])
    return render(request, "infosessions/employer_form.html", {
        "values": values, "error": error, "field_errors": field_errors, "schools": request_schools(employer),
        "slots": SLOTS, "audiences": Audience.choices, "postings": postings, "lead_text": request_lead_text(),
        "limits": {"topic": services.TOPIC_MAX, "description": services.DESCRIPTION_MAX},
    }, status=400 if error else 200)


@role_required(Role.EMPLOYER)
def employer_session_view(request, pk: int):
    session = session_get(actor=request.user, pk=pk)
    return render(request, "infosessions/employer_detail.html", {
        "s": session, "state": session_state(session, viewer_role=Role.EMPLOYER),
        "postings": list(session.postings.all())})


@require_POST
@role_required(Role.EMPLOYER)
def employer_session_withdraw_view(request, pk: int):
    session = session_get(actor=request.user, pk=pk)
    try:
        services.session_withdraw(actor=request.user, session=session)
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "宣讲会已撤回")
    return redirect("employer-session", pk=pk)
