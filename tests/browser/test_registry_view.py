"""全国毕业去向登记系统数据查看 on a phone, against the stand-in registry running as its own
process: a change of 生源所在地 shows as a waiting difference until the relay delivers it, and
with the registry down the page explains and shows the last copy it read."""
from __future__ import annotations

from playwright.sync_api import expect

from apps.graduates.services import graduate_update
from apps.registry.models import OutboxEntry, OutboxState
from tests.browser.conftest import login_graduate
from tests.registry.standin import registry_standin, registry_standin_process  # noqa: F401


def _relay_until_drained(rounds: int = 5) -> None:
    """Run the relay (R1's one pass) until nothing is waiting: the stand-in has no faults here."""
    from apps.registry.relay import relay_once

    for _ in range(rounds):
        if not OutboxEntry.objects.filter(state=OutboxState.PENDING).exists():
            return
        relay_once()
    assert not OutboxEntry.objects.exclude(state=OutboxState.DELIVERED).exists()


def _registered_and_delivered(world) -> None:
    """The graduate's 生源 as the registry already holds it: 瑶海区 (340102)."""
    graduate_update(actor=world.graduate_user, graduate=world.graduate,
                    changes={"origin_division": "340102", "phone": "13812345678"})
    _relay_until_drained()


def _open_comparison(phone) -> None:
    phone.click("nav.tabbar >> text=登记")
    phone.click("#registry-link")
    expect(phone.locator("h1")).to_have_text("全国毕业去向登记系统数据查看")


def test_a_changed_origin_waits_then_matches_after_the_relay_delivers(world, phone, registry_standin):  # noqa: F811
    _registered_and_delivered(world)
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    _open_comparison(phone)
    expect(phone.locator("#difference-summary")).to_contain_text("登记系统中的信息与平台一致")
    expect(phone.locator("#sync-state")).to_contain_text("已同步")

    # the graduate moves 生源所在地 to 蜀山区 on the 生源信息 page
    phone.click("nav.tabbar >> text=登记")
    phone.click("text=生源信息")
    phone.wait_for_load_state("load")  # htmx must be running before the first change event
    # 瑶海区 is chosen, so 安徽省 / 合肥市 are too: one change of the county column (choosing the
    # province again would re-render the picker under a later choice)
    expect(phone.locator("#origin_division-value")).to_have_value("340102")
    phone.select_option("#origin_division-county", "340104")
    expect(phone.locator("#origin_division-value")).to_have_value("340104")
    phone.click("button[value=save]")
    expect(phone.locator("#origin_division-chosen")).to_contain_text("蜀山区")

    _open_comparison(phone)
    row = phone.locator('tr[data-field="生源地代码"]')
    expect(row).to_have_class("differs")
    expect(row.locator("td.platform")).to_have_text("340104")
    expect(row.locator("td.registry")).to_have_text("340102")
    expect(phone.locator('tr[data-note-for="生源地代码"]')).to_contain_text("等待同步")
    expect(phone.locator('tr[data-note-for="生源地代码"] a')).to_have_attribute("href", "/register/origin/")
    expect(phone.locator("#sync-state")).to_contain_text("正在发送到全国毕业去向登记系统")
    expect(phone.locator("#difference-summary")).to_contain_text("平台的变更正在同步")
    # the table fits the phone: no sideways scrolling
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    _relay_until_drained()
    phone.click("#refresh")
    expect(phone.locator("#difference-summary")).to_contain_text("登记系统中的信息与平台一致")
    expect(phone.locator("tr.differs")).to_have_count(0)
    expect(phone.locator('tr[data-field="生源地代码"] td.registry')).to_have_text("340104")
    expect(phone.locator("#sync-state")).to_contain_text("已同步")


def test_with_the_registry_down_the_page_explains_and_shows_the_last_copy(world, phone, registry_standin):  # noqa: F811
    _registered_and_delivered(world)
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    _open_comparison(phone)  # read once: the copy is kept
    expect(phone.locator("#copy-state")).to_have_attribute("data-state", "fresh")
    graduate_update(actor=world.graduate_user, graduate=world.graduate, changes={"origin_division": "340104"})

    registry_standin.stop()
    phone.click("#refresh")
    expect(phone.locator("#copy-state")).to_contain_text("暂时无法连接全国毕业去向登记系统")
    expect(phone.locator("#copy-state")).to_contain_text("读取的数据，可能不是最新")
    expect(phone.locator('tr[data-field="生源地代码"] td.registry')).to_have_text("340102")  # the last copy
    expect(phone.locator('tr[data-field="生源地代码"]')).to_have_class("differs")
    expect(phone.locator("#sync-state")).to_contain_text("等待同步")
    expect(phone.locator("h1")).to_have_text("全国毕业去向登记系统数据查看")  # never an error page
