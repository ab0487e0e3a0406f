"""Permission-matrix entries for the reports pages and API (see permission_expectations.py).

A report belongs to its reporter (the owner) and the reporter's school: school staff of that
school and the province staff handle it; college staff have no access at all."""

from __future__ import annotations

from tests.security.permission_expectations import GRADUATES, OWNER, Page, _p

HANDLERS = frozenset({"school_staff", "province_staff"})
QUEUE_READERS = frozenset({"school_staff", "other_school_staff", "province_staff"})

PAGES: dict = {
    "report-new": Page(GRADUATES, query={"posting": "posting"}),
    "my-reports": Page(GRADUATES),
    "report-detail": Page(OWNER, {"pk": "report"}),
    "report-image": Page(OWNER | HANDLERS, {"pk": "report", "image_id": "report_image"}),
    "staff-reports": Page(QUEUE_READERS),
    "staff-report-detail": Page(HANDLERS, {"pk": "report"}),
    "staff-report-decide": Page(HANDLERS, {"pk": "report"}, post_only=True),
}
API: dict = {
    "apps_reports_api_report_guide": _p(GRADUATES),
    "apps_reports_api_file_report": _p(GRADUATES),
    "apps_reports_api_my_reports": _p(GRADUATES),
    "apps_reports_api_list_reports": _p(QUEUE_READERS),
    "apps_reports_api_get_report": _p(OWNER | HANDLERS, {"report_id": "report"}),
    "apps_reports_api_decide_report": _p(HANDLERS, {"report_id": "report"}),
    "apps_reports_api_report_image": _p(OWNER | HANDLERS, {"report_id": "report", "image_id": "report_image"}),
}


def build(w, users) -> None:
    """A report by the owner about w.ids.posting, with one image."""
    from django.core.files.base import ContentFile

    from apps.reports.models import FraudReport, FraudReportImage

    posting = w.objects.posting
    report = FraudReport.objects.create(reporter=w.objects.owner, school_id=w.objects.owner.school_id,
                                        employer_id=posting.employer_id, posting=posting, reason="fee",
                                        details="面试时要求先交800元培训费。")
    image = FraudReportImage(report=report, width=1, height=1, size=68, original_name="收费凭证.png")
    image.file.save("evidence.png", ContentFile(_PNG), save=False)
    image.save()
    w.ids.report = report.pk
    w.ids.report_image = image.pk


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082"
)
