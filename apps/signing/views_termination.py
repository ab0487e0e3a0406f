"""网络解约申请 (graduate side) and the release-letter images every party in scope may see."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.accounts.scoping import get_visible
from apps.core.errors import DomainError
from apps.core.files import private_file_response
from apps.core.images import MAX_IMAGES_PER_ITEM
from apps.core.net import client_address
from apps.graduates.models import Graduate
from apps.organisations.policy import policy_for
from apps.signing.models import (
    Agreement,
    Termination,
    TerminationLetter,
    TerminationReason,
    TerminationStatus,
)
from apps.signing.services import agreement_in_force, agreement_review_status, termination_apply

# the handbook's 变更申请流程
CHANGE_STEPS = (
    "变更前请与原签约单位沟通协商好解约事宜，避免产生纠纷。",
    "请原单位出具书面解约证明材料（加盖公章）。",
    "毕业生上传解约证明材料。",
    "请联系学院就业工作负责人进行审核。",
    "学院审核通过后，毕业生即可与新单位签约。",
)
PENDING = (TerminationStatus.SUBMITTED, TerminationStatus.COLLEGE_APPROVED)


def termination_overview(graduate: Graduate) -> dict:
    """What the graduate's page (and the API's /terminations/mine) shows."""
    agreement = agreement_in_force(graduate.pk)
    policy = policy_for(graduate.school, graduate.cohort)
    used = Termination.objects.filter(graduate=graduate, status=TerminationStatus.APPROVED).count()
    history = list(Termination.objects.filter(graduate=graduate).select_related("agreement", "agreement__invitation")
                   .prefetch_related("letters"))
    pending = next((t for t in history if t.status in PENDING), None)
    online_signed = agreement is not None or Agreement.objects.filter(graduate=graduate).exists()
    blocked = ""
    if agreement is None:
        blocked = "您目前没有生效的网签协议。此功能仅限于通过网络签约的毕业生。"
    elif pending is not None:
        blocked = "您已提交解约申请，请等待审核。"
    elif timezone.localdate() < policy.termination_opens_on:
        blocked = f"学校设置的解约日期（{policy.termination_opens_on:%Y年%m月%d日}）之前不能解约。"
    elif used >= policy.max_terminations:
        blocked = f"已达到最大解约次数（{policy.max_terminations}次），不能再解约。"
    return {
        "agreement": agreement,
        "review_status": agreement_review_status(agreement) if agreement else "",
        "policy": policy,
        "used": used,
        "remaining": max(0, policy.max_terminations - used),
        "history": history,
        "latest": history[0] if history else None,
        "pending": pending,
        "online_signed": online_signed,
        "can_apply": not blocked,
        "blocked": blocked,
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
    context.update({
        "tab": "register",
        "steps": CHANGE_STEPS,
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
