"""Staff pages for online signing: the agreements list and detail (with the timeline and the
PDF), and the termination review queue (院系初审 → 学校终审). Thin: parse, fetch the scoped
rows, call one service, render."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, STAFF, role_required
from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import DomainError, NotFound
from apps.core.files import private_file_response
from apps.core.listing import KEYWORD_MATCH_CAP, bounded_page, keyword_pks, province_first
from apps.core.net import client_address, safe_return_url
from apps.core.pagination import int_or_none, querystring_without_page
from apps.core.text import normalise
from apps.destinations.models import DestinationStatus
from apps.graduates.selectors import graduate_keyword_ids
from apps.organisations.models import College
from apps.signing import presenters
from apps.signing.documents import agreement_generate_pdf, agreement_pdf_due, loopback_host
from apps.signing.models import (
    Agreement,
    AgreementStatus,
    Termination,
    TerminationLetter,
    TerminationReason,
    TerminationStatus,
)
from apps.signing.recovery import agreement_pdf_retry
from apps.signing.services import TERMINATION_LEVELS, termination_review

PAGE_SIZE = 30


# --- shared presenters (also used by the API) --------------------------------------------------

def review_status_of(agreement: Agreement) -> str:
    """The review's title (presenters.agreement_review); without a query when the destination
    comes with the row (`select_related("graduate__destination")`)."""
    return presenters.agreement_review(agreement, viewer_role=Role.SCHOOL_STAFF).title


def pdf_missing_of(agreement: Agreement) -> bool:
    """agreement_pdf_due without a query (destination selected with the row)."""
    destination = getattr(agreement.graduate, "destination", None)
    return (not agreement.pdf and agreement.status == AgreementStatus.IN_FORCE
            and getattr(destination, "status", "") == DestinationStatus.SCHOOL_APPROVED)


def _int(value) -> int | None:
    return int_or_none(value)  # also "no filter" for a number too large for the database (was a 500)


@dataclass(frozen=True)
class AgreementFilters:
    status: str = ""
    college_id: int | None = None
    keyword: str = ""


def agreement_filters(params) -> AgreementFilters:
    status = params.get("status", "")
    return AgreementFilters(status=status if status in AgreementStatus.values else "",
                            college_id=_int(params.get("college")) or _int(params.get("college_id")),
                            keyword=normalise(params.get("q", ""))[:50])


# Wide and encrypted columns no list row shows (the graduate's ID number and phones, the
# invitation's contact phone and long texts): deferred for a page of 30.
_GRADUATE_UNREAD = ("id_number", "phone", "family_contact_phone", "home_address", "email", "family_contact_name",
                    "family_contact_relation", "sponsor_unit", "signing_pin_hash")
_INVITATION_UNREAD = ("contact_phone", "remarks", "breach_conditions", "social_insurance", "decline_reason",
                      "follow_token_hash", "certificate")


def _unread(*relations_and_fields) -> list[str]:
    return [f"{relation}__{name}" for relation, names in relations_and_fields for name in names]


def _looks_like_a_number(keyword: str) -> bool:
    """协议编号 or 学号: ASCII letters and digits with at least one digit (no unit name search)."""
    return keyword.isascii() and keyword.isalnum() and any(c.isdigit() for c in keyword)


def agreements_for_staff(*, actor, filters: AgreementFilters) -> QuerySet[Agreement]:
    """网签协议 list, newest accepted first: (-accepted_at, -id) is served backwards by the
    (school|college, [status,] accepted_at, id) indexes, so a page stops after its LIMIT.
    The keyword (协议编号 / 学号 / 姓名开头 / 单位名称 contains) is looked up alternative by
    alternative, each bounded, never as one OR over the joined list."""
    scoped = visible_to(Agreement, actor)
    qs = scoped.select_related("graduate", "graduate__major", "graduate__destination", "college", "invitation").defer(
        *_unread(("graduate", _GRADUATE_UNREAD), ("invitation", _INVITATION_UNREAD),
                 ("graduate__destination", ("unit_contact_phone", "description"))))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.college_id:
        qs = qs.filter(college_id=filters.college_id)
    if filters.keyword:
        k = filters.keyword
        pks = keyword_pks(scoped, k.upper(), exact=["number"])
        if not _looks_like_a_number(k):
            # a unit name may match anywhere (「科技」): no index helps a substring, so it is
            # read within the scope (growing with the school's agreements) and bounded like the
            # other alternatives; a number (协议编号, 学号) skips it
            pks += list(scoped.order_by().filter(invitation__unit_name__contains=k)
                        .values_list("pk", flat=True)[:KEYWORD_MATCH_CAP])
        qs = qs.filter(Q(pk__in=pks) | Q(graduate_id__in=graduate_keyword_ids(actor, k)))
    return qs.order_by(*province_first(actor, "-accepted_at", "-id"))


def reviewable_termination_status(actor) -> str:
    """The status this reviewer's level acts on (services.TERMINATION_LEVELS)."""
    level = next((x for x in TERMINATION_LEVELS if x.role == actor.role), None)
    return level.acts_on if level is not None else ""


@dataclass(frozen=True)
class TerminationFilters:
    status: str = ""  # "" = everything
    college_id: int | None = None
    reason: str = ""
    keyword: str = ""


def termination_filters(actor, params) -> tuple[TerminationFilters, str]:
    """By default each reviewer sees what waits for them; status=all shows everything."""
    raw = params.get("status")
    if raw is None or raw == "":
        status = reviewable_termination_status(actor)
    elif raw == "all":
        status = ""
    else:
        status = raw if raw in TerminationStatus.values else reviewable_termination_status(actor)
    reason = params.get("reason", "")
    filters = TerminationFilters(status=status, college_id=_int(params.get("college")) or _int(params.get("college_id")),
                                 reason=reason if reason in TerminationReason.values else "",
                                 keyword=normalise(params.get("q", ""))[:50])
    return filters, status or "all"


def _letter_count():
    """Letters per termination as a correlated subquery: evaluated for the page's rows only
    (a ``Count`` join would GROUP BY the whole scope before the LIMIT)."""
    counted = (TerminationLetter.objects.filter(termination=OuterRef("pk")).order_by().values("termination")
               .annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def terminations_for_staff(*, actor, filters: TerminationFilters) -> QuerySet[Termination]:
    """解约审核 list, oldest submitted first: (submitted_at, id) is served by the
    (school|college, [status,] submitted_at, id) indexes after the scope and status equality."""
    scoped = visible_to(Termination, actor)
    qs = (scoped.select_related("graduate", "graduate__major", "college", "agreement", "agreement__invitation")
          .defer(*_unread(("graduate", _GRADUATE_UNREAD), ("agreement__invitation", _INVITATION_UNREAD)))
          .annotate(letter_count=_letter_count()))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.college_id:
        qs = qs.filter(college_id=filters.college_id)
    if filters.reason:
        qs = qs.filter(reason=filters.reason)
    if filters.keyword:
        k = filters.keyword
        pks = keyword_pks(scoped, k.upper(), exact=["agreement__number"])
        qs = qs.filter(Q(pk__in=pks) | Q(graduate_id__in=graduate_keyword_ids(actor, k)))
    return qs.order_by("submitted_at", "id")


def can_review_termination(actor, termination: Termination) -> bool:
    return bool(termination.status == reviewable_termination_status(actor))


def agreement_timeline(actor, agreement: Agreement) -> list:
    """The audit entries of this agreement's life: the invitation, acceptance, the review of
    its registration, printing, terminations — oldest first."""
    from apps.audit.models import AuditEntry

    termination_ids = [str(pk) for pk in agreement.terminations.values_list("pk", flat=True)]
    target = (Q(target_type="Invitation", target_id=str(agreement.invitation_id))
              | Q(target_type="Agreement", target_id=str(agreement.pk))
              | Q(target_type="Termination", target_id__in=termination_ids))
    window = Q(target_type="Destination", occurred_at__gte=agreement.created_at)
    if agreement.terminated_at:
        window &= Q(occurred_at__lte=agreement.terminated_at)
    return list(visible_to(AuditEntry, actor).filter(graduate_id=agreement.graduate_id).filter(target | window)
                .order_by("occurred_at", "id")[:100])


# --- agreements -----------------------------------------------------------------------------------


@role_required(*STAFF)
def staff_agreements_view(request):
    filters = agreement_filters(request.GET)
    page = bounded_page(request, agreements_for_staff(actor=request.user, filters=filters), per_page=PAGE_SIZE)
    rows = [{"a": a, "review": review_status_of(a)} for a in page.object_list]
    return render(request, "signing/staff/agreements.html", {
        "page": page, "rows": rows, "filters": filters, "statuses": AgreementStatus.choices,
        "colleges": visible_to(College, request.user).order_by("name"), "querystring": querystring_without_page(request),
    })


def _staff_agreement(request, pk: int) -> Agreement:
    return get_visible(Agreement.objects.select_related("graduate", "graduate__major", "graduate__destination",
                                                        "college", "school", "invitation", "invitation__unit_division"),
                       request.user, pk=pk)


@role_required(*STAFF)
def staff_agreement_detail_view(request, pk: int):
    agreement = _staff_agreement(request, pk)
    terminations = list(agreement.terminations.select_related("college_reviewed_by", "school_reviewed_by")
                        .order_by("submitted_at"))
    return render(request, "signing/staff/agreement_detail.html", {
        "a": agreement, "g": agreement.graduate, "inv": agreement.invitation, "review": review_status_of(agreement),
        "state": presenters.agreement_state(agreement, viewer_role=request.user.role),
        "terminations": terminations, "timeline": agreement_timeline(request.user, agreement),
        # approved but the background generation never finished (e.g. its worker was killed)
        "pdf_missing": agreement_pdf_due(agreement), "can_retry_pdf": request.user.role in REVIEWERS,
        "qr_loopback_host": loopback_host(),  # the PDF's anti-counterfeit QR opens nothing elsewhere
    })


def agreement_pdf_on_demand(agreement: Agreement) -> Agreement:
    """The agreement with its PDF: an approved agreement whose PDF the background job has not
    (yet, or ever, after a lost worker) produced is rendered now, synchronously; generation
    is idempotent, so a job finishing meanwhile changes nothing. Not approved: NotFound."""
    if agreement_pdf_due(agreement):
        agreement_generate_pdf(agreement.pk)
        agreement.refresh_from_db()
    if not agreement.pdf:
        raise NotFound("协议书尚未生成（学校审核通过后生成）")
    return agreement


@role_required(*STAFF)
def staff_agreement_pdf_view(request, pk: int):
    agreement = agreement_pdf_on_demand(get_visible(Agreement, request.user, pk=pk))
    return private_file_response(agreement.pdf, download_name=f"{agreement.number}.pdf", inline=True)


@require_POST
@role_required(*REVIEWERS)
def staff_agreement_pdf_retry_view(request, pk: int):
    """「重新生成」: re-enqueue a missing PDF now instead of waiting for the periodic recovery."""
    agreement = get_visible(Agreement, request.user, pk=pk)
    try:
        agreement = agreement_pdf_retry(actor=request.user, agreement=agreement, client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "协议书已重新生成" if agreement.pdf else "已提交重新生成协议书，请稍后刷新页面查看")
    return redirect("staff-agreement-detail", pk=pk)


# --- terminations -----------------------------------------------------------------------------------

@role_required(*REVIEWERS)
def staff_terminations_view(request):
    filters, status = termination_filters(request.user, request.GET)
    page = bounded_page(request, terminations_for_staff(actor=request.user, filters=filters), per_page=PAGE_SIZE)
    acts_on = reviewable_termination_status(request.user)
    return render(request, "signing/staff/terminations.html", {
        "page": page, "filters": filters, "status": status, "statuses": TerminationStatus.choices,
        "reasons": TerminationReason.choices, "colleges": visible_to(College, request.user).order_by("name"),
        "querystring": querystring_without_page(request), "acts_on": acts_on,
        "acts_on_label": TerminationStatus(acts_on).label if acts_on else "",
        "levels_note": presenters.termination_levels_note(),
    })


def _staff_termination(request, pk: int) -> Termination:
    return get_visible(Termination.objects.select_related(
        "graduate", "graduate__major", "college", "agreement", "agreement__invitation", "college_reviewed_by",
        "school_reviewed_by").prefetch_related("letters"), request.user, pk=pk)



@role_required(*REVIEWERS)
def staff_termination_detail_view(request, pk: int):
    termination = _staff_termination(request, pk)
    used = Termination.objects.filter(graduate_id=termination.graduate_id, status=TerminationStatus.APPROVED).count()
    return render(request, "signing/staff/termination_detail.html", {
        "t": termination, "g": termination.graduate, "a": termination.agreement, "inv": termination.agreement.invitation,
        "letters": list(termination.letters.all()), "used": used,
        "can_review": can_review_termination(request.user, termination),
        "state": presenters.termination_state(termination, viewer_role=request.user.role),
        "next": safe_return_url(request, request.GET.get("next", ""), within=reverse("staff-terminations")),
    })


@require_POST
@role_required(*REVIEWERS)
def staff_termination_review_view(request, pk: int):
    termination = _staff_termination(request, pk)
    action = request.POST.get("action")
    if action not in ("approve", "reject"):
        messages.error(request, "请选择通过或不通过")
        return redirect("staff-termination-detail", pk=pk)
    try:
        done = termination_review(actor=request.user, termination=termination, approve=action == "approve",
                                  reason=request.POST.get("reason", ""), client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("staff-termination-detail", pk=pk)
    g = termination.graduate
    messages.success(request, f"{g.name}（{g.student_number}）的解约申请：{done.get_status_display()}")
    return HttpResponseRedirect(safe_return_url(request, request.POST.get("next", ""), within=reverse("staff-terminations")) or reverse("staff-terminations"))
