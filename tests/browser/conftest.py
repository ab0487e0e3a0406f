"""Browser tests: the app served by pytest-django's live server, driven through Playwright
for Python in Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    reason = None
    if os.environ.get("SKIP_BROWSER_TESTS"):
        reason = "SKIP_BROWSER_TESTS is set (no Chromium available)"
    elif not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} missing: run scripts/test.sh, which installs Debian's chromium"
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# Content-Security-Policy violations Chromium reported on any page of any context.
CSP_VIOLATIONS: list[str] = []


def _watch_for_csp_violations(context):
    def record(message):
        if "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", record)
    return context


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        # Every context, also those tests open themselves, reports refused scripts/styles.
        new_context = b.new_context
        b.new_context = lambda **options: _watch_for_csp_violations(new_context(**options))
        yield b
        b.close()


@pytest.fixture(autouse=True)
def no_csp_violations():
    """A page whose script or style the policy refused is broken for real users too."""
    seen = len(CSP_VIOLATIONS)
    yield
    new = CSP_VIOLATIONS[seen:]
    if new:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(new), pytrace=False)


def _context(browser, live_server, options):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def phone(browser, live_server, request):
    context = _context(browser, live_server, PHONE)
    page = context.new_page()
    yield page
    _screenshot_on_failure(request, page)
    context.close()


@pytest.fixture
def desktop(browser, live_server, request):
    context = _context(browser, live_server, DESKTOP)
    page = context.new_page()
    yield page
    _screenshot_on_failure(request, page)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _screenshot_on_failure(request, page):
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)


def login_graduate(page, *, school_name: str, name: str, student_number: str, id_number: str):
    page.goto("/login/")
    page.fill("#school_keyword", school_name[:2])
    page.click(f"#school-options button:has-text('{school_name}')")
    page.fill("#name", name)
    page.fill("#student_number", student_number)
    page.fill("#id_number", id_number)
    page.click("#graduate-login button[type=submit]")


def choose_destination_category(page, code: str) -> None:
    """Pick a 毕业去向 on the graduate's form: the choice reloads the page for it through
    static/js/app.js, a deferred script — a pick made before it ran (a loaded machine) changed
    nothing, so wait for the page's load event first, then for the reload."""
    page.wait_for_load_state("load")
    page.select_option("#category-select", code)
    page.wait_for_url(f"**category={code}")
    page.wait_for_load_state("load")


def login_staff(page, username: str, password: str):
    page.goto("/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#staff-login button[type=submit]")


def fill_invitation_form(page, *, unit_name: str, credit_code: str, certificate) -> None:
    """Step 2 of the employer flow: unit, contact, contract and breach terms, the certificate."""
    from playwright.sync_api import expect

    page.fill("[name=unit_name]", unit_name)
    page.fill("[name=credit_code]", credit_code)
    page.select_option("#unit_nature_code-select", "39")
    page.select_option("#industry_code-select", "34")
    page.wait_for_load_state("load")  # htmx must be running before the first change
    page.select_option("#unit_division-province", label="安徽省")
    page.select_option("#unit_division-city", label="合肥市")
    page.select_option("#unit_division-county", label="蜀山区")
    expect(page.locator("#unit_division-value")).to_have_value("340104")
    page.fill("[name=unit_address]", "合肥市蜀山区示例路88号")
    page.fill("[name=contact_person]", "张经理")
    page.fill("[name=contact_phone]", "0551-62901234")
    page.fill("[name=position_name]", "软件工程师")
    page.select_option("#position_category_code-select", "13")
    page.fill("[name=work_place]", "合肥市蜀山区")
    page.fill("[name=contract_years]", "3")
    page.select_option("[name=probation_type]", "probation")
    page.fill("[name=probation_months]", "3")
    page.fill("[name=monthly_pay]", "9000")
    page.fill("[name=social_insurance]", "五险一金")
    page.fill("[name=breach_penalty]", "5000")
    page.fill("[name=breach_conditions]", "毕业生无正当理由不报到")
    page.set_input_files("[name=certificate]", str(certificate))
