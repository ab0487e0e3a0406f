"""网络签约, the whole journey in real browsers, one context per party:

the graduate's phone shows the 二维码名片 → the employer's phone opens the link and sends the
invitation → the graduate accepts within 60 s with the signing PIN → college 初审 and school
终审 on /staff/destinations/ → the agreement PDF is issued → a PC opens /print/, the graduate
types its code on /signing/print/, the PC shows the PDF → the public verification page says
有效 and recognises the genuine PDF → 网络解约申请 with a release letter and the PIN, college
then school approve on /staff/terminations/ → verification says 已解约 → a second employer
invites and the graduate signs again."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.organisations.models import SchoolPolicy
from apps.signing.documents import agreement_generate_pdf
from apps.signing.models import Agreement, AgreementStatus, Invitation, Termination
from tests import factories as f
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, fill_invitation_form, login_graduate, login_staff
from tests.signing.helpers import PIN, credit_code, make_ready


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def open_context(browser, live_server, request):
    """More parties: each a separate browser context (no shared cookies or storage)."""
    opened = []

    def open_(name: str, options: dict):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        opened.append((name, context, page))
        return page

    yield open_
    rep = getattr(request.node, "rep_call", None)
    for name, context, page in opened:
        if rep is not None and rep.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)
        context.close()


def send_invitation(page, link: str, *, unit_name: str, code: str, certificate) -> None:
    """The recruiter opens the card link, checks the graduate and sends 邀约确认."""
    page.goto(link)
    expect(page.locator("#graduate-check")).to_contain_text("王小明")
    page.click("#start-invitation")
    fill_invitation_form(page, unit_name=unit_name, credit_code=code, certificate=certificate)
    page.click("#send-invitation")
    expect(page.locator("#invitation-status")).to_have_text("待确认")


def accept_invitation(phone, invitation: Invitation) -> None:
    """网签邀约通知 → 接受 → the PIN within the 60-second window."""
    phone.goto("/signing/invitations/")
    phone.click(f".invitation[data-invitation-id='{invitation.pk}']")
    phone.click("#accept-button")
    expect(phone.locator("#countdown")).to_be_visible()
    phone.fill("#signing-pin", PIN)
    phone.click("#confirm-button")
    expect(phone.locator("#agreement-status")).to_have_text("签约成功，待学校审核")


def card_link(phone) -> str:
    phone.goto("/me/card/")
    expect(phone.locator("#card-code")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    return phone.locator("#card-link").get_attribute("href")


def review_destination(page, student_number: str, expected_status: str) -> None:
    page.goto("/staff/destinations/")
    row = page.locator("#destination-table tbody tr", has_text=student_number)
    expect(row).to_contain_text("签就业协议形式就业")
    expect(row).to_contain_text(expected_status)
    row.locator("a").first.click()
    page.click("#approve-button")
    expect(page.locator(".alert.success")).to_contain_text(student_number)


def review_termination(page, termination: Termination, *, expect_letter: bool = True) -> None:
    page.goto("/staff/terminations/")
    row = page.locator(f"#termination-table tr[data-termination='{termination.pk}']")
    expect(row).to_contain_text(termination.graduate.student_number)
    row.locator("a").first.click()
    if expect_letter:
        page.wait_for_function(
            "() => [...document.querySelectorAll('#termination-letters img')].every(i => i.complete && i.naturalWidth > 0)")
    page.click("#termination-approve")
    expect(page.locator(".alert.success")).to_contain_text(termination.graduate.student_number)


def test_sign_approve_print_verify_terminate_and_sign_again(world, phone, open_context, live_server, tmp_path):
    g = make_ready(world.graduate)
    yesterday = timezone.localdate() - timedelta(days=1)
    SchoolPolicy.objects.update_or_create(school=world.school, defaults={
        "signing_opens_on": yesterday, "termination_opens_on": yesterday})
    certificate = tmp_path / "licence.png"
    Image.new("RGB", (640, 420), (250, 250, 245)).save(certificate)
    letter = tmp_path / "release-letter.png"
    Image.new("RGB", (800, 1100), (255, 255, 255)).save(letter)

    employer = open_context("employer", PHONE)
    college = open_context("college", DESKTOP)
    school = open_context("school", DESKTOP)
    pc = open_context("pc", DESKTOP)

    # --- 1. the card, the invitation, the acceptance ------------------------------------------------
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    link = card_link(phone)
    send_invitation(employer, link, unit_name="合肥示例科技有限公司", code=credit_code(), certificate=certificate)
    first_invitation = Invitation.objects.get()
    accept_invitation(phone, first_invitation)
    agreement = Agreement.objects.get()

    # --- 2. college 初审 and school 终审 on the destination queue -------------------------------------
    login_staff(college, "college-a1", f.PASSWORD)
    review_destination(college, g.student_number, "待审核")
    login_staff(school, "school-a", f.PASSWORD)
    review_destination(school, g.student_number, "初审通过")
    phone.goto("/signing/agreement/")
    expect(phone.locator("#agreement-status")).to_have_text("学校审核通过")

    # --- 3. the PDF is issued on school approval (the task runs on commit) -------------------------
    agreement.refresh_from_db()
    if not agreement.pdf:  # a queued (not immediate) task backend: issue it here, off Playwright's
        # event loop (pyHanko signs with asyncio.run)
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(agreement_generate_pdf, agreement.pk).result()
        agreement.refresh_from_db()
    assert agreement.pdf_sha256

    # --- 4. self-print: the PC shows a code, the graduate types it, the PC shows the PDF ----------
    pc.goto("/print/")
    pc.wait_for_function("() => { const i = document.querySelector('#print-qr'); return i.complete && i.naturalWidth > 0; }")
    print_code = pc.locator("#print-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", print_code)
    expect(pc.locator("#print-waiting")).to_be_visible()
    phone.goto("/register/")
    phone.click("#print-link")
    phone.fill("#print-code-input", print_code.lower())
    phone.click("#print-confirm")
    expect(phone.locator("#print-claimed")).to_contain_text("请在电脑上打印")
    expect(pc.locator("#print-ready")).to_be_visible()
    expect(pc.locator("#print-ready")).to_contain_text(agreement.number)
    pdf_src = pc.locator("#print-pdf").get_attribute("src")
    assert re.fullmatch(r"/print/\d+/pdf\?secret=[\w-]+", pdf_src)
    pdf = pc.request.get(pdf_src)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    pdf_bytes = pdf.body()
    assert pdf_bytes == agreement.pdf.open("rb").read()

    # --- 5. the anti-counterfeit QR's page: 有效; the printed file checks out ------------------------
    pc.goto(f"/verify/{agreement.verification_code}/")
    expect(pc.locator("#verify-status")).to_have_text("有效")
    expect(pc.locator("#verify-number")).to_have_text(agreement.number)
    expect(pc.locator("#verify-name")).to_have_text("王*明")
    expect(pc.locator("#verify-employer")).to_have_text("合肥示例科技有限公司")
    pc.set_input_files("#verify-pdf", files=[{"name": f"{agreement.number}.pdf", "mimeType": "application/pdf",
                                              "buffer": pdf_bytes}])
    pc.click("#verify-upload-button")
    expect(pc.locator("#verify-result")).to_contain_text("当前版本")
    expect(pc.locator("#verify-result")).to_contain_text("协议有效")

    # --- 6. 网络解约申请 with the stamped release letter and the PIN -------------------------------------
    phone.goto("/register/")
    phone.click("#termination-link")
    expect(phone.locator("#termination-agreement")).to_contain_text(agreement.number)
    expect(phone.locator("#termination-count")).to_have_text("已用 0 次 / 最多 3 次")
    expect(phone.locator("#change-steps")).to_contain_text("学校终审通过后，协议解除，毕业生即可与新单位签约")
    phone.select_option("#termination-reason", "further_study")
    phone.fill("#termination-explanation", "考取研究生，经与单位协商，双方同意解除协议")
    phone.set_input_files("#termination-letters", str(letter))
    phone.check("#termination-is-change")
    phone.fill("#termination-pin", PIN)
    phone.click("#termination-submit")
    expect(phone.locator("#termination-status")).to_contain_text("待院系初审")
    termination = Termination.objects.get()
    assert termination.is_change and termination.letters.count() == 1

    # --- 7. college 初审, then school 终审 on the termination queue ----------------------------------
    review_termination(college, termination)
    phone.reload()
    expect(phone.locator("#termination-status")).to_contain_text("待学校终审")
    review_termination(school, termination)
    phone.reload()
    expect(phone.locator("#termination-status")).to_contain_text("已解约")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATED

    # --- 8. the verification page now says 已解约 ---------------------------------------------------------
    pc.goto(f"/verify/{agreement.verification_code}")
    expect(pc.locator("#verify-status")).to_have_text("已解约")

    # --- 9. a second employer invites; the graduate signs again ------------------------------------------
    second_employer = open_context("employer2", PHONE)
    link = card_link(phone)
    send_invitation(second_employer, link, unit_name="芜湖示例制造有限公司", code=credit_code("91340200MA2N8Q7K1"),
                    certificate=certificate)
    second_invitation = Invitation.objects.exclude(pk=first_invitation.pk).get()
    accept_invitation(phone, second_invitation)
    assert Agreement.objects.filter(graduate=g).count() == 2
    second = Agreement.objects.get(graduate=g, status=AgreementStatus.IN_FORCE)
    assert second.invitation_id == second_invitation.pk and second.number != agreement.number
