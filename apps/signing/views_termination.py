"""网络解约申请 (graduate side) and the release-letter images every party in scope may see."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.accounts.scoping import get_visible
from apps.core.errors import DomainError
from apps.core.files import private_file_response
from apps.core.images import MAX_IMAGES_PER_ITEM
from apps.core.net import client_address
from apps.graduates.models import Graduate
from apps.organisations.policy import policy_for
from apps.signing import presenters
from apps.signing.models import Agreement, Termination, TerminationLetter, TerminationReason, TerminationStatus
from apps.signing.services import TERMINATION_PENDING, agreement_in_force, termination_apply


def termination_overview(graduate: Graduate) -> dict:
    """What the graduate's page (and the API's /terminations/mine) shows; the state, its text
    and whether an application may be made come from presenters.termination_state."""
    agreement = agreement_in_force(graduate.pk)
    policy = policy_for(graduate.school, graduate.cohort)
    used = Termination.objects.filter(graduate=graduate, status=TerminationStatus.APPROVED).count()
    history = list(Termination.objects.filter(graduate=graduate).select_related("agreement", "agreement__invitation")
                   .prefetch_related("letters"))
    state = presenters.termination_state(graduate, viewer_role=Role.GRADUATE)
    can_apply = state.action("apply") is not None
    return {
        "agreement": agreement,
        "review_status": presenters.agreement_review(agreement).title if agreement else "",
        "policy": policy,
        "used": used,
        "remaining": max(0, policy.max_terminations - used),
        "history": history,
        "latest": history[0] if history else None,
        "pending": next((t for t in history if t.status in TERMINATION_PENDING), None),
        "online_signed": agreement is not None or Agreement.objects.filter(graduate=graduate).exists(),
        "state": state,
        "can_apply": can_apply,
        "blocked": "" if can_apply else state.text,
    }


@role_required(Role.GRADUATE)
def termination_view(request):
    graduate = Graduate.objects.select_related("school").get(pk=request.user.graduate_id)
    error, fields, posted = None, {}, {}
    if request.method == "POST":
        posted = {"reason": request.POST.get("reason", ""), "explanation": request.POST.get("explanation", ""),
                  "is_change": request.POST.get("is_change") in ("on", "1", "true")}
        try:
            termination_apply(actor=request.user, reason=posted["reason"], explanation=posted["explanation"],
                              letters=request.FILES.getlist("letters"), pin=request.POST.get("pin", ""),
                              is_change=posted["is_change"], client_address=client_address(request))
        except DomainError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, "解约申请已提交，请联系学院就业工作负责人进行审核。")
            return redirect("signing-termination")
    context = termination_overview(graduate)
    intro, steps = presenters.termination_guide()
    context.update({
        "tab": "register",
        "intro": intro,
        "steps": steps,
        "reasons": TerminationReason.choices,
        "max_letters": MAX_IMAGES_PER_ITEM,
        "error": error,
        "fields": fields,
        "posted": posted,
    })
    return render(request, "signing/termination/graduate.html", context, status=400 if error else 200)


def termination_letter_view(request, pk: int):
    """A release-letter image: the graduate's own, or reviewers' in scope; anyone else 404."""
    letter = get_visible(TerminationLetter, request.user, pk=pk)
    return private_file_response(letter.file)
