"""The division picker on the staff reference page, in a real browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import login_staff

PICKERS_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "pickers.js"


def test_division_picker_cascade_and_search(world, desktop):
    page = desktop
    login_staff(page, "school-a", f.PASSWORD)
    page.goto("/reference/")
    expect(page.locator("#division-chosen")).to_contain_text("尚未选择（请选择到区县）")

    # cascade: province → city → county; a province or a city alone is not a choice
    page.wait_for_load_state("load")  # htmx must be running before the first change
    page.select_option("#division-province", label="安徽省")
    page.select_option("#division-city", label="合肥市")
    expect(page.locator("#division-value")).to_have_value("")
    expect(page.locator("#division-chosen")).to_contain_text("请选择到区县")
    page.select_option("#division-county", label="蜀山区")
    expect(page.locator("#division-value")).to_have_value("340104")
    expect(page.locator("#division-chosen")).to_contain_text("安徽省合肥市蜀山区")
    expect(page.locator("#division-chosen")).to_contain_text("340104")

    # search: a municipality's district, which has no city level
    page.fill("#division-search", "两江")
    page.click("#division-results button:has-text('重庆市两江新区')")
    expect(page.locator("#division-value")).to_have_value("500157")
    expect(page.locator("#division-chosen")).to_contain_text("重庆市两江新区")
    expect(page.locator("#division-province")).to_have_value("500000")
    expect(page.locator("#division-county")).to_have_value("500157")
    expect(page.locator("#division-city")).to_have_count(0)
    expect(page.locator("#division-results button")).to_have_count(0)

    # Enter in the search box does not submit the form; the submit button does, with the code
    page.fill("#division-search", "和安")
    page.press("#division-search", "Enter")
    page.click("#division-results button:has-text('和安县')")
    expect(page.locator("#division-value")).to_have_value("653229")
    page.click("#division-form button[type=submit]")
    expect(page.locator("#division-detail")).to_contain_text("新疆维吾尔自治区和田地区和安县")
    assert "division=653229" in page.url


def test_code_picker_filter_box(reference, desktop):
    """The filter box of a long code table (pickers.js), on a rendered fragment."""
    from django.template import Context, Template

    page = desktop
    html = Template('{% load reference_tags %}<form id="f">{% code_picker "ethnicity_code" table="ethnicity" value="01" %}'
                    '{% code_picker "destination_code" table="destination" %}</form>').render(Context())
    page.set_content(html.replace('<script src="/static/js/pickers.js" defer></script>', ""))
    page.add_script_tag(path=str(PICKERS_JS))
    select = page.locator("#ethnicity_code-select")

    # an old name finds the current one; a single match is chosen, the previous choice stays listed
    page.fill("#ethnicity_code-filter", "毛难")
    expect(select).to_have_value("36")
    expect(select.locator("option")).to_have_text(["请选择", "汉族", "毛南族"])
    page.fill("#ethnicity_code-filter", "")
    expect(select.locator("option")).to_have_count(59)
    expect(select).to_have_value("36")

    page.fill("#ethnicity_code-filter", "土")  # several matches: the current value stays chosen and listed
    expect(select).to_have_value("36")
    expect(select.locator("option")).to_have_text(["请选择", "土家族", "土族", "毛南族"])

    destination = page.locator("#destination_code-select")
    page.fill("#destination_code-filter", "见习")
    expect(destination).to_have_value("706")
    expect(destination.locator("optgroup")).to_have_count(1)
    page.press("#destination_code-filter", "Enter")  # does not submit the form
    expect(destination).to_have_value("706")
