"""举报 (C9) through its services: filing (images, refusals, throttle) and deciding (take-down,
suspension through the other areas' services, notification of the reporter)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Forbidden, Throttled
from apps.employers.rules import employer_signing_refusal
from apps.jobs.models import ClosedReason, PostingStatus
from apps.jobs.selectors import open_postings, postings_open_to
from apps.notifications.models import Notification
from apps.organisations.models import EmployerStatus
from apps.reports import services
from apps.reports.models import FraudReport, FraudReportImage, ReportOutcome, ReportStatus
from apps.reports.presenters import report_state
from tests import factories as f
from tests.reports.conftest import fake_image, make_posting, png

pytestmark = pytest.mark.django_db


def test_filing_about_a_posting_stores_report_images_and_audit(world, posting, file_report, private_media):
    report = file_report(images=[png(), png("转账截图.png", colour=(10, 10, 200))])
    report.refresh_from_db()
    assert (report.reporter_id, report.school_id, report.employer_id, report.posting_id) == (
        world.graduate.pk, world.school.pk, world.employer.pk, posting.pk)
    assert report.status == ReportStatus.OPEN and report.outcome == ""
    images = list(report.images.all())
    assert len(images) == 2
    for image in images:
        assert image.file.name.startswith(f"reports/{world.school.pk}/") and "凭证" not in image.file.name
        assert (private_media / image.file.name).exists()
    entry = AuditEntry.objects.get(action="report.file")
    assert entry.graduate_id == world.graduate.pk and entry.changes["证明材料"] == ["", "2张图片"]


def test_filing_about_a_verified_employer_without_a_posting(world, file_report):
    report = file_report(posting=None, employer=world.employer.pk, reason="pyramid")
    assert report.posting_id is None and report.employer_id == world.employer.pk


@pytest.mark.parametrize("overrides,field,message", [
    ({"details": "   "}, "details", "请填写举报内容"),
    ({"details": "骗" * 2001}, "details", "不超过2000个字"),
    ({"reason": "nonsense"}, "reason", "请选择举报类型"),
    ({"posting": None}, "posting", "请从职位或单位页面发起举报"),
    ({"posting": "abc"}, "posting", "该职位不存在或已下线，无法举报"),
    ({"posting": "9" * 30}, "posting", "该职位不存在或已下线，无法举报"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(file_report, overrides, field, message):
    with pytest.raises(DomainError) as caught:
        file_report(images=[png()], **overrides)
    assert message in caught.value.message and field in caught.value.fields
    assert not FraudReport.objects.exists() and not FraudReportImage.objects.exists()


def test_five_images_are_refused(file_report, private_media):
    with pytest.raises(DomainError) as caught:
        file_report(images=[png(f"{n}.png") for n in range(5)])
    assert "最多" in caught.value.message and "images" in caught.value.fields
    assert not FraudReport.objects.exists()


def test_a_fake_or_oversize_image_is_refused_and_no_file_is_left(file_report, private_media, settings):
    with pytest.raises(DomainError) as caught:
        file_report(images=[png(), fake_image()])
    assert caught.value.message.startswith("第2张图片：")
    big = SimpleUploadedFile("大图.png", b"\x89PNG" + b"0" * 10, content_type="image/png")
    big.size = 16 * 1024 * 1024  # declared larger than the pipeline reads
    with pytest.raises(DomainError) as caught:
        file_report(images=[big])
    assert "images" in caught.value.fields
    assert not FraudReport.objects.exists()
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))


def test_a_posting_not_open_to_the_reporter_is_refused(world, file_report):
    other_school_posting = make_posting(world.employer, school=world.other_school, title="外校职位")
    pending = make_posting(world.employer, school=world.school, status=PostingStatus.PENDING, title="待审核职位")
    for target in (other_school_posting, pending):
        with pytest.raises(DomainError) as caught:
            file_report(posting=target)
        assert caught.value.fields == {"posting": "该职位不存在或已下线，无法举报"}
    unverified = f.make_employer(credit_code="91340100MA2N0XXX02", name="未认证公司", status="pending")
    with pytest.raises(DomainError, match="该单位不存在或不能被举报"):
        file_report(posting=None, employer=unverified.pk)
    assert not FraudReport.objects.exists()


def test_only_graduates_file(world, file_report):
    for user in (world.school_admin, world.employer_user, world.province_admin):
        with pytest.raises(Forbidden):
            file_report(actor=user)


def test_filings_are_throttled_per_graduate(world, file_report, monkeypatch):
    monkeypatch.setattr("apps.core.throttle.secrets.randbelow", lambda n: 1)
    for n in range(services.REPORTS_PER_WINDOW):
        file_report(posting=make_posting(world.employer, school=world.school, title=f"职位{n}"))
    with pytest.raises(Throttled) as caught:
        file_report()
    assert f"每天最多{services.REPORTS_PER_WINDOW}次" in caught.value.message
    assert FraudReport.objects.count() == services.REPORTS_PER_WINDOW
    # another graduate is not held back
    f.graduate_user(world.classmate)
    services.report_file(actor=world.classmate.user, posting=make_posting(world.employer, school=world.school),
                         reason="fee", details="同样被要求交费")


def test_a_refused_filing_gives_its_throttle_slot_back(file_report, monkeypatch):
    monkeypatch.setattr("apps.core.throttle.secrets.randbelow", lambda n: 1)
    for _ in range(services.REPORTS_PER_WINDOW + 2):
        with pytest.raises(DomainError):
            file_report(images=[fake_image()])
    file_report()  # the failed tries did not use up the day's filings


# --- deciding ------------------------------------------------------------------------------------

def test_school_staff_take_the_posting_down_and_the_reporter_reads_the_outcome(world, posting, file_report):
    report = file_report()
    assert posting in open_postings()
    services.report_decide(actor=world.school_admin, report=report, outcome=ReportOutcome.POSTING_TAKEN_DOWN,
                           note="已核实该单位收取培训费")
    posting.refresh_from_db()
    assert (posting.status, posting.closed_reason) == (PostingStatus.CLOSED, ClosedReason.TAKEN_DOWN)
    assert not open_postings().filter(pk=posting.pk).exists()
    assert not postings_open_to(world.graduate).filter(pk=posting.pk).exists()
    report.refresh_from_db()
    assert (report.status, report.outcome, report.handled_by_id) == (
        ReportStatus.CLOSED, ReportOutcome.POSTING_TAKEN_DOWN, world.school_admin.pk)
    note = Notification.objects.get(kind="report.outcome")
    assert note.graduate_id == world.graduate.pk and "职位已下架" in note.title
    assert "已核实该单位收取培训费" in note.body
    state = report_state(report, viewer_role="graduate")
    assert state.title == "职位已下架" and "已核实该单位收取培训费" in state.text
    assert AuditEntry.objects.filter(action="report.decide", graduate_id=world.graduate.pk).exists()


def test_province_staff_suspend_the_employer_its_postings_vanish_and_it_cannot_invite(world, posting, file_report):
    other = make_posting(world.employer, school=None, title="省级渠道职位")
    report = file_report()
    services.report_decide(actor=world.province_admin, report=report, outcome=ReportOutcome.EMPLOYER_SUSPENDED,
                           note="多名毕业生反映收费")
    world.employer.refresh_from_db()
    assert world.employer.status == EmployerStatus.SUSPENDED
    assert not open_postings().filter(pk__in=[posting.pk, other.pk]).exists()
    assert employer_signing_refusal(world.employer) == "该单位账号已停用，不能发起网签邀约"
    assert "单位账号已停用" in report_state(FraudReport.objects.get(), viewer_role="graduate").text


def test_school_staff_cannot_suspend_a_province_verified_employer_and_nothing_changes(world, file_report):
    report = file_report()
    with pytest.raises(Forbidden):
        services.report_decide(actor=world.school_admin, report=report, outcome=ReportOutcome.EMPLOYER_SUSPENDED,
                               note="收费", take_down=True)
    world.employer.refresh_from_db()
    assert world.employer.status == EmployerStatus.VERIFIED
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN  # the take-down in the same decision was rolled back
    assert open_postings().filter(pk=report.posting_id).exists()
    assert not Notification.objects.filter(kind="report.outcome").exists()


def test_a_school_suspends_an_employer_it_verified(world, file_report):
    own = f.make_employer(credit_code="91340100MA2N0XXX03", name="本校认证公司", verifier_school=world.school)
    posting = make_posting(own, school=world.school, title="本校认证单位职位")
    report = file_report(posting=posting)
    services.report_decide(actor=world.school_admin, report=report, outcome=ReportOutcome.EMPLOYER_SUSPENDED,
                           note="虚假招聘")
    own.refresh_from_db()
    assert own.status == EmployerStatus.SUSPENDED


@pytest.mark.parametrize("outcome,kw,message", [
    ("", {}, "请选择处理结果"),
    (ReportOutcome.NO_FRAUD, {"take_down": True}, "不能下架职位或停用单位"),
    (ReportOutcome.NO_FRAUD, {"note": ""}, "请填写处理说明"),
])
def test_bad_decisions_are_refused(world, file_report, outcome, kw, message):
    report = file_report()
    args = {"note": "已核实", **kw}
    with pytest.raises(DomainError, match=message):
        services.report_decide(actor=world.school_admin, report=report, outcome=outcome, **args)
    assert FraudReport.objects.get().status == ReportStatus.OPEN


def test_no_posting_to_take_down_on_an_employer_report(world, file_report):
    report = file_report(posting=None, employer=world.employer.pk)
    with pytest.raises(DomainError, match="没有可下架的职位"):
        services.report_decide(actor=world.province_admin, report=report,
                               outcome=ReportOutcome.POSTING_TAKEN_DOWN, note="下架")


def test_who_may_decide(world, file_report):
    report = file_report()
    for user in (world.college_admin, world.other_school_admin, world.graduate_user, world.employer_user):
        with pytest.raises(Forbidden):
            services.report_decide(actor=user, report=report, outcome=ReportOutcome.NO_FRAUD, note="无")
    services.report_decide(actor=world.school_admin, report=report, outcome=ReportOutcome.NO_FRAUD, note="已电话核实")
    with pytest.raises(DomainError, match="该举报已处理"):
        services.report_decide(actor=world.province_admin, report=report, outcome=ReportOutcome.NO_FRAUD, note="再次")


def test_a_school_cannot_take_down_a_province_channel_posting(world, file_report):
    province_posting = make_posting(world.employer, school=None, title="省级渠道职位")
    report = file_report(posting=province_posting)
    with pytest.raises(DomainError) as caught:
        services.report_decide(actor=world.school_admin, report=report, outcome=ReportOutcome.POSTING_TAKEN_DOWN,
                               note="收费")
    assert caught.value.fields == {"take_down": "该职位不在本校渠道，请联系省级管理员下架"}
    assert open_postings().filter(pk=province_posting.pk).exists()
    services.report_decide(actor=world.province_admin, report=report, outcome=ReportOutcome.POSTING_TAKEN_DOWN,
                           note="收费")
    assert not open_postings().filter(pk=province_posting.pk).exists()


def test_a_second_open_report_of_the_same_posting_is_refused(world, posting, file_report):
    report = file_report()
    with pytest.raises(DomainError, match="正在处理中"):
        file_report(details="又被要求交费")
    services.report_decide(actor=world.school_admin, report=report, outcome=ReportOutcome.NO_FRAUD, note="已核实")
    file_report(details="又被要求交费")  # once decided, a new report may be filed
    assert FraudReport.objects.count() == 2
