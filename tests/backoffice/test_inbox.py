"""The staff inbox (待办): every queue counts what waits for the actor and nothing else; a college
admin never sees another college's items; oldest age and overdue share; batch approval through
the destinations' own door; a constant number of statements whatever the data size."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from apps.accounts.models import Role
from apps.archives.models import ArchiveTransfer
from apps.audit.models import AuditEntry
from apps.backoffice.inbox import inbox_summaries, item_rows, queue_items_queryset, queue_summary
from apps.backoffice.queues import QUEUES, QUEUES_BY_KEY, DueAfterWorkingDays, queues_for
from apps.corrections.models import Correction, CorrectionStatus
from apps.destinations.models import Destination, DestinationStatus
from apps.fairs.models import BoothStatus
from apps.infosessions.models import SessionStatus
from apps.organisations.models import EmployerStatus, SchoolPolicy
from apps.recommendations.models import RecommendationForm, RecommendationStatus
from apps.registry.models import OutboxState
from apps.reports.models import FraudReport, ReportStatus
from apps.roster.models import ImportStatus, RosterImport
from apps.signing.models import TerminationStatus
from tests import factories as f
from tests.checkin.helpers import make_booth, make_fair, make_session
from tests.destinations.builders import make_destination
from tests.registry.test_monitor import enqueue
from tests.signing.test_staff_lists_scale import agreement, termination

pytestmark = pytest.mark.django_db

S = DestinationStatus
INBOX = "/staff/inbox/"
_serial = count(1)


@pytest.fixture(autouse=True)
def open_window(world):
    """Destination review open whatever the machine's calendar says (学校设置: cut-off ahead)."""
    ahead = timezone.localdate() + timedelta(days=400)
    for school in (world.school, world.other_school):
        SchoolPolicy.objects.update_or_create(school=school, defaults={"destination_cutoff_on": ahead})


def graduate(world, college=None, name="待办"):
    n = next(_serial)
    college = college or world.college
    major = world.major if college == world.college else f.make_major(college)
    return f.make_graduate(college=college, major=major, name=f"{name}{n:03d}", student_number=f"2044{n:06d}")


def correction(g, *, status=CorrectionStatus.PENDING, promised_by=None) -> Correction:
    return Correction.objects.create(graduate=g, school_id=g.school_id, college_id=g.college_id, kind="archive",
                                     explanation="档案去向有误", status=status,
                                     promised_by=promised_by or timezone.localdate() + timedelta(days=3))


def employer(world, *, status=EmployerStatus.PENDING, school=None):
    n = next(_serial)
    return f.make_employer(credit_code=f"91340100MA2N{n:06d}", name=f"待办示例{n}有限公司", status=status,
                           verifier_school=school, province=world.province if school is None else None)


def roster_import(world, status):
    return RosterImport.objects.create(school=world.school, cohort=world.school.current_cohort,
                                       uploaded_by=world.school_admin, file="roster/x.xlsx", original_name="生源.xlsx",
                                       status=status, error_count=3 if status == ImportStatus.INVALID else 0)


def report(world, status=ReportStatus.OPEN):
    extra = {"outcome": "no_fraud", "handled_at": timezone.now(), "handled_by": world.school_admin} \
        if status == ReportStatus.CLOSED else {}
    return FraudReport.objects.create(reporter=world.graduate, school=world.school, employer=world.employer,
                                      reason="fee", details="收取押金", status=status, **extra)


def recommendation(g, status=RecommendationStatus.REQUESTED) -> RecommendationForm:
    now = timezone.now()
    return RecommendationForm.objects.create(graduate=g, school_id=g.school_id, college_id=g.college_id,
                                             status=status, status_changed_at=now, requested_at=now)


def online_signed(world, destination_status):
    g = graduate(world)
    made = agreement(world, g)
    make_destination(g, code="11", status=destination_status, source="online_signing")
    return made


# key → (actor attribute, make a waiting item, make an item that does not wait for that actor)
CASES = {
    "destinations": ("school_admin", lambda w: make_destination(graduate(w), status=S.COLLEGE_APPROVED),
                     lambda w: make_destination(graduate(w), status=S.SUBMITTED)),
    "agreements": ("college_admin", lambda w: online_signed(w, S.SUBMITTED),
                   lambda w: online_signed(w, S.SCHOOL_APPROVED)),
    "terminations": ("college_admin", lambda w: termination(w, graduate(w), letters=0),
                     lambda w: termination(w, graduate(w), status=TerminationStatus.COLLEGE_APPROVED, letters=0)),
    "corrections": ("college_admin", lambda w: correction(graduate(w)),
                    lambda w: correction(graduate(w), status=CorrectionStatus.ACCEPTED)),
    "recommendations": ("college_admin", lambda w: recommendation(graduate(w)),
                        lambda w: recommendation(graduate(w), RecommendationStatus.VOID)),
    "archives": ("school_admin", lambda w: ArchiveTransfer.objects.create(graduate=graduate(w), school=w.school,
                                                                         college=w.college, receiving_unit_name="示例档案馆",
                                                                         address_division_id="340104"),
                 lambda w: ArchiveTransfer.objects.create(graduate=graduate(w), school=w.school, college=w.college,
                                                          deferred=True, deferred_reason="考研")),
    "roster": ("school_admin", lambda w: roster_import(w, ImportStatus.INVALID),
               lambda w: roster_import(w, ImportStatus.COMMITTED)),
    "employers": ("school_admin", lambda w: employer(w, school=w.school),
                  lambda w: employer(w, school=w.school, status=EmployerStatus.VERIFIED)),
    "postings": ("school_admin", lambda w: f.make_posting(w.employer, w.school, status="pending"),
                 lambda w: f.make_posting(w.employer, w.school)),
    "reports": ("school_admin", lambda w: report(w), lambda w: report(w, ReportStatus.CLOSED)),
    "booths": ("school_admin", lambda w: make_booth(make_fair(w.school, starts_in=timedelta(days=5)), employer(w),
                                                    status=BoothStatus.PENDING),
               lambda w: make_booth(make_fair(w.school, starts_in=timedelta(days=5)), employer(w))),
    "sessions": ("school_admin", lambda w: make_session(w.school, w.employer, status=SessionStatus.PENDING,
                                                        date=timezone.localdate() + timedelta(days=7)),
                 lambda w: make_session(w.school, w.employer, date=timezone.localdate() + timedelta(days=7))),
    "registry": ("school_admin", lambda w: enqueue(graduate(w), state=OutboxState.DEAD),
                 lambda w: enqueue(graduate(w), state=OutboxState.PENDING)),
}


def test_every_declared_queue_has_a_case():
    assert set(CASES) == {q.key for q in QUEUES}


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_queue_counts_an_item_that_waits_and_not_one_that_does_not(world, client, key):
    persona, waiting, not_waiting = CASES[key]
    actor = getattr(world, persona)
    item, other = waiting(world), not_waiting(world)
    queue = QUEUES_BY_KEY[key]
    summary = queue_summary(queue, actor)
    assert (summary.count, summary.capped) == (1, False)
    listed = [row.pk for row in queue_items_queryset(queue, actor)]
    assert listed == [item.pk] and other.pk not in listed
    # the page where it is decided opens for this actor
    client.force_login(actor)
    [row] = item_rows(queue, list(queue_items_queryset(queue, actor)))
    assert client.get(row.url).status_code == 200
    page = client.get(f"{INBOX}{key}/").content.decode()
    assert f'href="{row.url}"' in page and row.who in page


def test_an_agreement_review_opens_the_registration_review_page(world):
    """网签 registration is reviewed where the destination is (the one review door)."""
    made = online_signed(world, S.SUBMITTED)
    queue = QUEUES_BY_KEY["agreements"]
    [row] = item_rows(queue, list(queue_items_queryset(queue, world.college_admin)))
    assert row.url == f"/staff/destinations/{made.graduate.destination.pk}/"
    assert row.what == f"网签协议 {made.number}：{world.employer.name}"


def test_queues_per_role(world):
    keys = {persona: {q.key for q in queues_for(getattr(world, persona))}
            for persona in ("college_admin", "school_admin", "province_admin", "employer_user", "graduate_user")}
    assert keys["college_admin"] == {"destinations", "agreements", "terminations", "corrections", "recommendations"}
    assert {"destinations", "roster", "archives", "booths", "sessions", "registry",
            "recommendations"} <= keys["school_admin"]
    assert keys["province_admin"] == {"employers", "postings", "reports", "registry"}
    assert keys["employer_user"] == keys["graduate_user"] == set()


def test_province_counts_only_what_the_province_decides(world):
    """单位认证 asked of a school is that school's; the province's own channel for postings."""
    employer(world)  # the province verifies
    employer(world, school=world.school)
    f.make_posting(world.employer, None, province=world.province, status="pending")
    f.make_posting(world.employer, world.school, status="pending")
    by_key = {s.key: s for s in inbox_summaries(world.province_admin)}
    assert by_key["employers"].count == 1 and by_key["postings"].count == 1


def test_college_admin_never_sees_another_colleges_waiting_destination(world, client, api_client):
    mine = make_destination(graduate(world), status=S.SUBMITTED)
    theirs = make_destination(graduate(world, world.other_college, name="外院"), status=S.SUBMITTED)
    by_key = {s.key: s for s in inbox_summaries(world.college_admin)}
    assert by_key["destinations"].count == 1
    client.force_login(world.college_admin)
    page = client.get(f"{INBOX}destinations/").content.decode()
    assert theirs.graduate.name not in page and mine.graduate.name in page
    api_client.login_as(world.college_admin)
    summary = {q["key"]: q for q in api_client.get("/inbox/").json()["queues"]}
    assert summary["destinations"]["count"] == 1
    items = api_client.get("/inbox/destinations/").json()["items"]
    assert [i["id"] for i in items] == [mine.pk]
    # the other college's admin counts theirs only
    assert {s.key: s.count for s in inbox_summaries(world.other_college_admin)}["destinations"] == 1


# --- age and overdue ------------------------------------------------------------------------------

@freeze_time("2026-06-10 02:00:00")  # 10:00 in Shanghai
def test_oldest_age_and_overdue_share_of_corrections(world, client):
    today = date(2026, 6, 10)
    made = []
    for days_ago, promised in ((5, today - timedelta(days=2)), (2, today), (1, today + timedelta(days=1)),
                               (0, today + timedelta(days=3))):
        c = correction(graduate(world), promised_by=promised)
        Correction.objects.filter(pk=c.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        made.append(c)
    summary = {s.key: s for s in inbox_summaries(world.college_admin)}["corrections"]
    assert (summary.count, summary.overdue, summary.overdue_percent) == (4, 1, 25)
    assert summary.oldest_label == "最早 5 天前" and summary.overdue_label == "超期 25%"
    client.force_login(world.college_admin)
    page = client.get(INBOX).content.decode()
    assert "最早 5 天前" in page and "超期 25%" in page
    detail = client.get(f"{INBOX}corrections/").content.decode()
    # oldest first, the overdue one marked
    assert detail.index(made[0].graduate.name) < detail.index(made[3].graduate.name)
    assert detail.count(">已超期</span>") == 1 and "2026-06-08" in detail


@freeze_time("2026-06-10 02:00:00")
def test_booths_are_overdue_once_the_fair_has_started(world):
    started = make_fair(world.school, starts_in=timedelta(days=-1))
    coming = make_fair(world.school, starts_in=timedelta(days=3))
    make_booth(started, employer(world), status=BoothStatus.PENDING)
    make_booth(coming, employer(world), status=BoothStatus.PENDING)
    summary = queue_summary(QUEUES_BY_KEY["booths"], world.school_admin)
    assert (summary.count, summary.overdue, summary.overdue_label) == (2, 1, "超期 50%")


def test_working_day_promise_counts_holidays_and_weekends(world, monkeypatch):
    """N working days after submission (apps/core/workdays): a Friday filing with 3 days is due on
    Wednesday; on Thursday it is overdue, on Wednesday not yet."""
    from apps.core import workdays

    monkeypatch.setattr(workdays, "_table", lambda: workdays.Calendar())
    promise = DueAfterWorkingDays(3)
    friday = date(2026, 6, 5)
    assert promise.last_overdue_submission_day(date(2026, 6, 10)) < friday  # Wednesday: due today
    # Thursday: Friday's filing is past due, and so are the weekend's (due on Wednesday too)
    assert promise.last_overdue_submission_day(date(2026, 6, 11)) == date(2026, 6, 7)
    friday_filing = correction(graduate(world))
    Correction.objects.filter(pk=friday_filing.pk).update(
        created_at=timezone.make_aware(datetime(2026, 6, 5, 15, 0)))
    qs = Correction.objects.filter(**promise.overdue_filter("created_at", date(2026, 6, 11)))
    assert list(qs.values_list("pk", flat=True)) == [friday_filing.pk]
    assert not Correction.objects.filter(**promise.overdue_filter("created_at", date(2026, 6, 10))).exists()


def test_empty_queues_say_so_and_a_capped_count_says_more_than(world, client, settings):
    settings.LIST_COUNT_CAP = 2
    for _ in range(3):
        make_destination(graduate(world), status=S.COLLEGE_APPROVED)
    client.force_login(world.school_admin)
    page = client.get(INBOX).content.decode()
    assert "超过 2 条" in page and "无待办" in page
    assert "无承诺期限" in page  # destinations promise no date: no invented overdue share


# --- batch approval --------------------------------------------------------------------------------

def test_batch_approval_changes_states_writes_audit_and_refuses_the_rest(world, client):
    first = make_destination(graduate(world), status=S.COLLEGE_APPROVED)
    second = make_destination(graduate(world), status=S.COLLEGE_APPROVED)
    too_early = make_destination(graduate(world), status=S.SUBMITTED)  # not yet past 初审
    far = make_destination(graduate(world, world.far_college, name="外校"), status=S.COLLEGE_APPROVED)
    client.force_login(world.school_admin)
    audits = AuditEntry.objects.count()
    response = client.post(f"{INBOX}destinations/batch-approve/",
                           {"ids": [first.pk, second.pk, too_early.pk, far.pk]}, follow=True)
    page = response.content.decode()
    assert "已通过 2 条" in page
    assert f"{too_early.graduate.name}（{too_early.graduate.student_number}）未通过：" in page
    assert "该记录尚未经院系初审，学校不能终审" in page
    assert "1 条记录不存在或无权访问" in page
    states = dict(Destination.objects.values_list("pk", "status"))
    assert states[first.pk] == states[second.pk] == S.SCHOOL_APPROVED
    assert states[too_early.pk] == S.SUBMITTED and states[far.pk] == S.COLLEGE_APPROVED
    assert AuditEntry.objects.count() == audits + 2
    assert set(AuditEntry.objects.filter(action="destination.review").values_list("target_id", flat=True)) == {
        str(first.pk), str(second.pk)}
    assert {s.key: s.count for s in inbox_summaries(world.school_admin)}["destinations"] == 0


def test_batch_needs_a_selection_and_a_queue_that_allows_it(world, client):
    make_destination(graduate(world), status=S.COLLEGE_APPROVED)
    client.force_login(world.school_admin)
    page = client.post(f"{INBOX}destinations/batch-approve/", {}, follow=True).content.decode()
    assert "请先勾选要处理的记录" in page
    response = client.post(f"{INBOX}archives/batch-approve/", {"ids": [1]})
    assert response.status_code == 404 and "该待办类别不支持批量处理" in response.content.decode()
    # only the destination queue offers the checkboxes
    assert 'name="ids"' in client.get(f"{INBOX}destinations/").content.decode()
    assert 'name="ids"' not in client.get(f"{INBOX}archives/").content.decode()


def test_queue_pages_refuse_unknown_keys_and_other_roles(world, client):
    client.force_login(world.school_admin)
    response = client.get(f"{INBOX}nosuchqueue/")
    assert response.status_code == 404 and "没有这个待办类别" in response.content.decode()
    client.force_login(world.province_admin)
    response = client.get(f"{INBOX}destinations/")
    assert response.status_code == 403 and "该待办类别不由您办理" in response.content.decode()
    client.force_login(world.graduate_user)
    assert client.get(INBOX).status_code in (302, 403)


def test_staff_nav_and_home_link_to_the_inbox(world, client):
    for persona in ("college_admin", "school_admin", "province_admin"):
        client.force_login(getattr(world, persona))
        page = client.get("/staff/").content.decode()
        assert page.count(f'href="{INBOX}"') == 2, persona


# --- statement counts --------------------------------------------------------------------------------

def _fill(world, n):
    """n waiting items in every queue of a school admin."""
    for key in ("destinations", "archives", "roster", "employers", "postings", "reports", "booths", "sessions",
                "registry", "recommendations"):
        for _ in range(n):
            CASES[key][1](world)


def _statements(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [INBOX, f"{INBOX}destinations/", f"{INBOX}booths/", f"{INBOX}reports/"])
def test_statement_count_does_not_grow_with_the_data(world, client, url):
    client.force_login(world.school_admin)
    _fill(world, 1)
    client.get(url)  # warms the reference snapshot
    small = _statements(client, url)
    _fill(world, 6)
    assert _statements(client, url) == small
    if url == INBOX:
        assert {s.key: s.count for s in inbox_summaries(world.school_admin)}["destinations"] == 7


def test_college_admin_inbox_statements_constant(world, client):
    client.force_login(world.college_admin)
    for _ in range(2):
        correction(graduate(world))
        make_destination(graduate(world), status=S.SUBMITTED)
    client.get(INBOX)
    small = _statements(client, INBOX)
    for _ in range(8):
        correction(graduate(world))
        make_destination(graduate(world), status=S.SUBMITTED)
    assert _statements(client, INBOX) == small
    assert Role.COLLEGE_STAFF in QUEUES_BY_KEY["corrections"].roles


def test_statement_count_is_the_same_for_empty_and_full_queues(world, client):
    """Nothing waiting or something waiting in every queue: the same statements (an empty queue
    is asked the same bounded questions)."""
    client.force_login(world.school_admin)
    client.get(INBOX)
    empty = _statements(client, INBOX)
    _fill(world, 2)
    assert _statements(client, INBOX) == empty
