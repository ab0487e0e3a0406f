"""待办 in a real browser: a school admin (desktop) reads the destination queue's count, opens
it, ticks two records, 批量通过 (with the confirmation), reads 「已通过 2 条」 and the count drop."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from apps.destinations.models import Destination, DestinationStatus
from apps.organisations.models import SchoolPolicy
from tests import factories as f
from tests.browser.conftest import login_staff
from tests.destinations.builders import make_destination
from tests.factories import PASSWORD

S = DestinationStatus


def test_school_admin_batch_approves_from_the_inbox(world, desktop):
    SchoolPolicy.objects.update_or_create(
        school=world.school, defaults={"destination_cutoff_on": timezone.localdate() + timedelta(days=60)})
    made = []
    for i in range(3):
        g = f.make_graduate(college=world.college, major=world.major, name=f"终审{i}", student_number=f"20450000{i:02d}")
        made.append(make_destination(g, status=S.COLLEGE_APPROVED))

    login_staff(desktop, world.school_admin.username, PASSWORD)
    desktop.click("aside a:text-is('待办')")
    row = desktop.locator("#inbox-table tr[data-queue=destinations]")
    expect(row.locator(".inbox-count")).to_have_text("3 条")
    row.locator("a:has-text('查看明细')").click()

    expect(desktop.locator("h1")).to_have_text("毕业去向审核")
    for d in made[:2]:
        desktop.check(f"#inbox-items tr[data-id='{d.pk}'] input[name=ids]")
    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.click("#inbox-batch-approve")
    expect(desktop.locator(".alert.success")).to_have_text("已通过 2 条")
    expect(desktop.locator("#inbox-items tbody tr")).to_have_count(1)

    desktop.click("a:has-text('返回待办')")
    expect(desktop.locator("#inbox-table tr[data-queue=destinations] .inbox-count")).to_have_text("1 条")
    states = dict(Destination.objects.values_list("pk", "status"))
    assert [states[d.pk] for d in made] == [S.SCHOOL_APPROVED, S.SCHOOL_APPROVED, S.COLLEGE_APPROVED]
