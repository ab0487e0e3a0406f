"""Reads of 举报; every query starts from `visible_to` (graduate: own reports; school staff:
their school's; province staff: every school of the province; nobody else)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.models import Role
from apps.accounts.scoping import get_visible, visible_to
from apps.reports.models import FraudReport, FraudReportImage, ReportStatus

ALL_STATUSES = "all"
STATUS_FILTERS = ((ReportStatus.OPEN.value, ReportStatus.OPEN.label),
                  (ReportStatus.CLOSED.value, ReportStatus.CLOSED.label), (ALL_STATUSES, "全部"))

# One queue row: the reporter, the employer and the posting title come with the row; the
# details (up to 2,000 characters) stay unread for a list of 30.
QUEUE_COLUMNS = (
    "id", "reporter_id", "school_id", "employer_id", "posting_id", "reason", "status", "outcome",
    "outcome_note", "handled_at", "created_at",
    "reporter__id", "reporter__name", "reporter__student_number", "reporter__school_id",
    "employer__id", "employer__name", "employer__status",
    "posting__id", "posting__title", "posting__status",
    "school__id", "school__name", "school__province_id",
)
MINE_COLUMNS = ("id", "reporter_id", "school_id", "employer_id", "posting_id", "reason", "status", "outcome",
                "outcome_note", "handled_at", "created_at", "employer__id", "employer__name",
                "posting__id", "posting__title")


def _image_count():
    """Images per report as a correlated subquery: evaluated for the page's rows only."""
    counted = (FraudReportImage.objects.filter(report=OuterRef("pk")).order_by().values("report")
               .annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def reports_queue(*, actor, status: str = ReportStatus.OPEN) -> QuerySet[FraudReport]:
    """The staff queue (举报处理). 待处理 (the default) oldest first; 已处理 newest first; 全部
    待处理 before 已处理 ("open" > "closed"), newest first. A school's list is served by
    (school, status, created_at, id), the province's by (status, created_at, id) with the
    school → province join as a filter, so a page stops after its LIMIT."""
    qs = (visible_to(FraudReport, actor).select_related("reporter", "employer", "posting", "school")
          .only(*QUEUE_COLUMNS).annotate(image_count=_image_count()))
    if status == ReportStatus.OPEN:
        return qs.filter(status=ReportStatus.OPEN).order_by("created_at", "id")
    if status == ReportStatus.CLOSED:
        return qs.filter(status=ReportStatus.CLOSED).order_by("-created_at", "-id")
    return qs.order_by("-status", "-created_at", "-id")


def reports_of_graduate(*, actor) -> QuerySet[FraudReport]:
    """The graduate's own reports, newest first ((reporter, created_at, id) index)."""
    return (visible_to(FraudReport, actor).select_related("employer", "posting").only(*MINE_COLUMNS)
            .annotate(image_count=_image_count()).order_by("-created_at", "-id"))


def report_get(*, actor, pk) -> FraudReport:
    """One report the actor may see (strangers' ids → NotFound), with its images."""
    qs = FraudReport.objects.select_related("reporter", "reporter__college", "school", "employer", "posting",
                                            "handled_by").prefetch_related("images")
    return get_visible(qs, actor, pk=pk)


def report_image_get(*, actor, report_id, image_id) -> FraudReportImage:
    return get_visible(FraudReportImage, actor, pk=image_id, report_id=report_id)


def is_staff_reader(actor) -> bool:
    return getattr(actor, "role", "") in (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
