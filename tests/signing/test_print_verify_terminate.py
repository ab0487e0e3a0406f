"""Self-print, public verification, 网络解约 and 学校设置 — through the pages and the API."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.audit.services import audit_verify
from apps.destinations.models import Destination
from apps.destinations.services import destination_review
from apps.organisations.models import SchoolPolicy
from apps.signing import services as signing
from apps.signing import views_verify
from apps.signing.documents import agreement_generate_pdf
from apps.signing.models import Agreement, AgreementStatus, PrintSession, Termination, TerminationStatus
from tests import factories as f
from tests.signing.helpers import PIN, accept, credit_code, invite, make_ready, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploads and agreement PDFs go to a temporary directory, never to var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


class As:
    """A separate client per user: pages via a session, the API via a bearer token."""

    def __init__(self, user=None):
        from apps.accounts.services import api_token_issue

        self.client = Client()
        self.headers = {}
        if user is not None:
            self.client.force_login(user)
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}

    def page(self, path, **params):
        return self.client.get(path, params)

    def submit(self, path, data=None):
        return self.client.post(path, data or {})

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, **self.headers)

    def post(self, path, data=None):
        return self.client.post(f"/api/v1{path}", data or {}, content_type="application/json", **self.headers)

    def put(self, path, data=None):
        return self.client.put(f"/api/v1{path}", data or {}, content_type="application/json", **self.headers)

    def multipart(self, path, data):
        return self.client.post(f"/api/v1{path}", data, **self.headers)


@pytest.fixture
def ready(world):
    make_ready(world.graduate)
    return world


@pytest.fixture
def signed(ready):
    invitation, _ = invite(ready.graduate, ready.graduate_user)
    return accept(ready.graduate_user, invitation)


def approve_both(world):
    destination = Destination.objects.get(graduate=world.graduate)
    destination_review(actor=world.college_admin, destination=destination, approve=True)
    destination_review(actor=world.school_admin, destination=destination, approve=True)


@pytest.fixture
def approved(ready, signed):
    approve_both(ready)
    agreement_generate_pdf(signed.pk)
    signed.refresh_from_db()
    return signed


def terminate(world, **kw):
    termination = signing.termination_apply(actor=world.graduate_user, reason="further_study",
                                            explanation="考取研究生，单位同意解约", letters=[png("letter.png")],
                                            pin=PIN, **kw)
    signing.termination_review(actor=world.college_admin, termination=termination, approve=True)
    return signing.termination_review(actor=world.school_admin, termination=termination, approve=True)


def termination_form(**overrides) -> dict:
    data = {"reason": "further_study", "explanation": "考取研究生，单位同意解约", "pin": PIN,
            "letters": [png("letter.png")]}
    data.update(overrides)
    return data


def pdf_upload(data: bytes, name="协议书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# --- verification ----------------------------------------------------------------------------------

def test_verification_page_of_a_valid_agreement_shows_masked_facts_only(approved, ready):
    page = As().page(f"/verify/{approved.verification_code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<strong id="verify-status" class="badge good">有效</strong>' in html
    assert approved.number in html and "合肥示例科技有限公司" in html and ready.school.name in html
    assert '<dd id="verify-name">王*明</dd>' in html
    assert ready.graduate.masked_id_number in html
    assert ready.graduate.id_number not in html and "王小明" not in html
    assert ready.graduate.student_number not in html and "13812345678" not in html
    today = timezone.localdate().isoformat()
    assert f'<dd id="verify-signed">{today}</dd>' in html and f"{today} 审核通过" in html
    # the PDF's QR link (no trailing slash) shows the same page
    assert "有效" in As().page(f"/verify/{approved.verification_code}").content.decode()


def test_verification_says_terminated_after_termination(approved, ready):
    terminate(ready)
    html = As().page(f"/verify/{approved.verification_code}/").content.decode()
    assert '<strong id="verify-status" class="badge bad">已解约</strong>' in html
    assert 'id="verify-terminated"' in html
    api = As().get(f"/agreements/verify/{approved.verification_code}").json()
    assert api["status"] == "terminated" and api["status_label"] == "已解约" and api["graduate_name"] == "王*明"
    assert api["approved_at"] is not None  # approval survives the destination's reset


def test_unknown_code_says_not_found(world):
    page = As().page("/verify/ZZZZZZZZZZ/")
    assert page.status_code == 404 and 'id="verify-status" class="badge bad">未找到<' in page.content.decode()
    assert As().get("/agreements/verify/ZZZZZZZZZZ").status_code == 404
    assert As().page("/verify/", code=" zzzz zzzzzz").url == "/verify/ZZZZZZZZZZ/"


def test_uploading_the_genuine_pdf_says_genuine_and_current(approved):
    data = approved.pdf.read()
    page = As().submit(f"/verify/{approved.verification_code}/", {"pdf": pdf_upload(data)})
    html = page.content.decode()
    assert 'id="verify-result"' in html
    assert f"该文件是平台签发的协议书当前版本（编号{approved.number}），协议有效" in html
    api = As().multipart("/agreements/verify/upload", {"pdf": pdf_upload(data)}).json()
    assert api["signature_intact"] and api["matches_current"] and api["agreement_in_force"] is True


def test_a_pdf_with_one_byte_changed_is_refused_as_altered(approved):
    data = approved.pdf.read()
    tampered = bytearray(data)
    position = data.index(b"/Type /Page") + 2
    tampered[position] = ord("X") if tampered[position] != ord("X") else ord("Y")
    html = As().submit("/verify/", {"pdf": pdf_upload(bytes(tampered))}).content.decode()
    assert "文件已被修改或不是平台签发的协议书" in html
    api = As().multipart("/agreements/verify/upload", {"pdf": pdf_upload(bytes(tampered))}).json()
    assert api == {"signature_intact": False, "matches_current": False, "agreement_number": None,
                   "agreement_in_force": None, "message": "文件已被修改或不是平台签发的协议书"}


def test_a_non_pdf_upload_is_refused_with_a_clear_message(world):
    page = As().submit("/verify/", {"pdf": pdf_upload(b"GIF89a not a pdf", name="fake.pdf")})
    assert page.status_code == 400
    assert "该文件不是PDF文件，请上传平台签发的协议书PDF" in page.content.decode()
    r = As().multipart("/agreements/verify/upload", {"pdf": pdf_upload(b"hello")})
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_pdf"
    big = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)
    r = As().multipart("/agreements/verify/upload", {"pdf": pdf_upload(big)})
    assert r.status_code == 400 and r.json()["error"]["message"] == "文件过大，协议书PDF不超过10MB"


def test_uploads_are_throttled_per_client_address(world, monkeypatch):
    monkeypatch.setattr(views_verify, "UPLOADS_PER_ADDRESS", 2)
    visitor = As()
    for _ in range(2):
        assert visitor.multipart("/agreements/verify/upload", {"pdf": pdf_upload(b"x")}).status_code == 400
    r = visitor.multipart("/agreements/verify/upload", {"pdf": pdf_upload(b"%PDF-1.7")})
    assert r.status_code == 429 and r.json()["error"]["message"] == "上传次数过多，请15分钟后再试"
    assert visitor.submit("/verify/", {"pdf": pdf_upload(b"%PDF")}).status_code == 429


# --- self-print ------------------------------------------------------------------------------------

def _pc_session(pc: As) -> tuple[int, str, str]:
    """Open the PC page and read the session id, secret and code out of it."""
    import re

    html = pc.page("/print/").content.decode()
    session_id = int(re.search(r'"session": "(\d+)"', html).group(1))
    secret = re.search(r'"secret": "([^"]+)"', html).group(1)
    code = re.search(r'<div id="print-code" class="print-code">([A-Z0-9]+)</div>', html).group(1)
    return session_id, secret, code


def test_pc_page_shows_qr_code_and_steps_and_keeps_the_secret_out_of_cookies(world):
    pc = As()
    response = pc.page("/print/")
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert 'id="print-qr" src="data:image/png;base64,' in html and 'id="print-code"' in html
    assert "在电脑上打开本页面" in html and "只有学校终审通过的网签协议才能自助打印协议书" in html
    assert "院系或学校" not in html  # college approval alone is refused (print_session_claim)
    session_id, secret, code = _pc_session(pc)
    assert all(secret not in c.value for c in pc.client.cookies.values())
    assert PrintSession.objects.get(pk=session_id).short_code == code
    waiting = pc.submit("/print/status/", {"session": session_id, "secret": secret}).content.decode()
    assert 'id="print-status"' in waiting and 'hx-trigger="every 2s"' in waiting


def test_unapproved_agreement_cannot_be_claimed(signed, ready):
    pc = As()
    _, _, code = _pc_session(pc)
    graduate = As(ready.graduate_user)
    page = graduate.submit("/signing/print/", {"code": code})
    assert page.status_code == 400
    assert "只有学校终审通过的网签协议才能自助打印" in page.content.decode()
    assert 'id="print-claimed"' not in page.content.decode()
    r = graduate.post("/agreements/print-sessions/claim", {"code": code})
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_approved"


def test_after_claim_the_pc_gets_the_pdf_without_login_and_the_code_is_one_time(approved, ready):
    pc = As()
    session_id, secret, code = _pc_session(pc)
    graduate = As(ready.graduate_user)
    prefilled = graduate.page("/signing/print/", code=code).content.decode()
    assert f'id="print-code-input" name="code" value="{code}"' in prefilled
    page = graduate.submit("/signing/print/", {"code": code.lower()}).content.decode()
    assert 'id="print-claimed"' in page and "请在电脑上打印" in page
    # the same code again
    again = graduate.post("/agreements/print-sessions/claim", {"code": code})
    assert again.status_code == 400 and "已使用" in again.json()["error"]["message"]
    # the PC, not logged in, now shows the PDF
    ready_html = pc.submit("/print/status/", {"session": session_id, "secret": secret}).content.decode()
    assert 'id="print-ready"' in ready_html and f'<iframe id="print-pdf" src="/print/{session_id}/pdf?secret=' in ready_html
    pdf = pc.page(f"/print/{session_id}/pdf", secret=secret)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"] and pdf["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(pdf.streaming_content) == approved.pdf.open("rb").read()
    assert PrintSession.objects.get(pk=session_id).printed_at is not None
    # a wrong secret is a 404, for the page and the API
    assert pc.page(f"/print/{session_id}/pdf", secret="guess").status_code == 404
    assert pc.get(f"/agreements/print-sessions/{session_id}", secret="guess").status_code == 404
    assert pc.get(f"/agreements/print-sessions/{session_id}", secret=secret).json()["state"] == "ready"
    wrong = pc.submit("/print/status/", {"session": session_id, "secret": "guess"}).content.decode()
    assert 'id="print-expired"' in wrong and "打印会话不存在" in wrong


def test_the_pdf_is_generated_on_the_fly_when_missing(signed, ready):
    approve_both(ready)  # the task did not run here (no on_commit in a test transaction)
    assert not Agreement.objects.get(pk=signed.pk).pdf
    pc = As()
    created = pc.client.post("/api/v1/agreements/print-sessions")
    assert created.status_code == 201
    body = created.json()
    assert body["claim_url"].endswith(f"/signing/print/?code={body['short_code']}")
    claimed = As(ready.graduate_user).post("/agreements/print-sessions/claim", {"code": body["short_code"]})
    assert claimed.status_code == 200 and claimed.json()["agreement_number"] == signed.number
    status = pc.get(f"/agreements/print-sessions/{body['id']}", secret=body["secret"]).json()
    pdf = pc.client.get(status["pdf_url"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert Agreement.objects.get(pk=signed.pk).pdf_sha256


def test_expired_print_session_asks_to_refresh(world):
    session, secret = signing.print_session_start(now=timezone.now() - timedelta(minutes=6))
    html = As().submit("/print/status/", {"session": session.pk, "secret": secret}).content.decode()
    assert "二维码已过期，请刷新页面" in html and 'id="print-refresh"' in html
    assert As().get(f"/agreements/print-sessions/{session.pk}", secret=secret).json()["state"] == "expired"


# --- termination: the graduate ----------------------------------------------------------------------

def test_termination_page_shows_the_agreement_policy_and_steps(signed, ready):
    html = As(ready.graduate_user).page("/signing/termination/").content.decode()
    assert signed.number in html and "已用 0 次 / 最多 3 次" in html
    assert f"{ready.school.current_cohort - 1}年9月1日" in html
    assert "请原单位出具书面解约证明材料（加盖公章）" in html
    assert 'name="letters" accept="image/*" multiple' in html and 'id="termination-pin"' in html
    assert 'id="termination-submit"' in html and 'name="is_change"' in html


def test_termination_through_the_page_then_college_and_school_approve(signed, ready):
    graduate = As(ready.graduate_user)
    response = graduate.submit("/signing/termination/", termination_form(is_change="on"))
    assert response.status_code == 302
    termination = Termination.objects.get()
    assert termination.is_change and termination.letters.count() == 1
    html = graduate.page("/signing/termination/").content.decode()
    assert 'id="termination-status"' in html and "待院系初审" in html and 'id="termination-form"' not in html

    college, school = As(ready.college_admin), As(ready.school_admin)
    queue = college.page("/staff/terminations/").content.decode()
    assert f'data-termination="{termination.pk}"' in queue
    assert f'data-termination="{termination.pk}"' not in school.page("/staff/terminations/").content.decode()
    detail = college.page(f"/staff/terminations/{termination.pk}/").content.decode()
    letter = termination.letters.get()
    assert f'/signing/termination/letters/{letter.pk}/' in detail and 'id="termination-approve"' in detail
    assert college.page(f"/signing/termination/letters/{letter.pk}/").status_code == 200
    assert college.submit(f"/staff/terminations/{termination.pk}/review/", {"action": "approve"}).status_code == 302
    assert "待学校终审" in graduate.page("/signing/termination/").content.decode()
    assert school.submit(f"/staff/terminations/{termination.pk}/review/", {"action": "approve"}).status_code == 302
    signed.refresh_from_db()
    assert signed.status == AgreementStatus.TERMINATED
    assert "已解约" in graduate.page("/signing/termination/").content.decode()
    assert all(r.ok for r in audit_verify())


def test_termination_before_the_school_date_is_refused(signed, ready):
    SchoolPolicy.objects.create(school=ready.school, termination_opens_on=date(2099, 9, 1))
    r = As(ready.graduate_user).multipart("/agreements/terminations", termination_form())
    assert r.status_code == 400 and r.json()["error"]["code"] == "termination_not_open"
    assert "2099年09月01日" in r.json()["error"]["message"]
    html = As(ready.graduate_user).page("/signing/termination/").content.decode()
    assert re.search(r'id="termination-state-text">[^<]*2099年09月01日', html) and 'id="termination-form"' not in html
    assert not Termination.objects.exists()


def test_a_fourth_termination_is_refused(ready):
    codes = ["91340200MA2N8Q7K1", "91340300MA2N8Q7K2", "91340400MA2N8Q7K3", "91340500MA2N8Q7K4"]
    for n in range(3):
        invitation, _ = invite(ready.graduate, ready.graduate_user, unit_name=f"单位{n}", credit_code=credit_code(codes[n]))
        accept(ready.graduate_user, invitation)
        terminate(ready)
    invitation, _ = invite(ready.graduate, ready.graduate_user, unit_name="单位4", credit_code=credit_code(codes[3]))
    accept(ready.graduate_user, invitation)
    graduate = As(ready.graduate_user)
    mine = graduate.get("/agreements/terminations/mine").json()
    assert (mine["used"], mine["max_terminations"], mine["can_apply"]) == (3, 3, False)
    r = graduate.multipart("/agreements/terminations", termination_form())
    assert r.status_code == 400 and r.json()["error"]["code"] == "termination_limit"
    page = graduate.submit("/signing/termination/", termination_form())
    assert page.status_code == 400 and "已达到最大解约次数（3次）" in page.content.decode()


@pytest.mark.parametrize("overrides, code", [
    ({"pin": "000000"}, "wrong_pin"),
    ({"letters": []}, "letter_missing"),
    ({"reason": ""}, "invalid"),
])
def test_termination_refusals_change_nothing(signed, ready, overrides, code):
    r = As(ready.graduate_user).multipart("/agreements/terminations", termination_form(**overrides))
    assert r.status_code == 400 and r.json()["error"]["code"] == code
    assert not Termination.objects.exists()


def test_termination_accepts_letters_and_reports_the_status(signed, ready):
    graduate = As(ready.graduate_user)
    r = graduate.multipart("/agreements/terminations",
                           termination_form(letters=[png("a.png"), png("b.png", color=(0, 0, 200))], is_change="true"))
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status_label"] == "待院系初审" and body["is_change"] is True and len(body["letters"]) == 2
    assert graduate.client.get(body["letters"][0]["url"], **graduate.headers).status_code == 200
    assert As(ready.stranger_user).get(body["letters"][0]["url"].removeprefix("/api/v1")).status_code == 404
    mine = graduate.get("/agreements/terminations/mine").json()
    assert mine["items"][0]["id"] == body["id"] and mine["blocked"] == mine["state"]["text"]
    assert mine["state"]["code"] == "submitted" and "待院系初审" in mine["blocked"]


def test_termination_is_only_for_online_signed_graduates(world):
    graduate = As(world.graduate_user)
    html = graduate.page("/signing/termination/").content.decode()
    assert re.search(r'id="termination-state-text">[^<]*仅限于通过网络签约', html)
    assert 'id="termination-form"' not in html and 'id="termination-form"' not in html
    r = graduate.multipart("/agreements/terminations", termination_form())
    assert r.status_code == 400 and r.json()["error"]["code"] == "no_agreement"
    assert As(world.employer_user).multipart("/agreements/terminations", termination_form()).status_code == 403


# --- termination: review ------------------------------------------------------------------------------

@pytest.fixture
def pending(signed, ready):
    return signing.termination_apply(actor=ready.graduate_user, reason="family", explanation="家庭原因",
                                     letters=[png()], pin=PIN)


def test_school_cannot_review_before_the_college(pending, ready):
    school = As(ready.school_admin)
    r = school.post(f"/agreements/terminations/{pending.pk}/approve")
    assert r.status_code == 400 and r.json()["error"]["code"] == "college_review_first"
    page = school.page(f"/staff/terminations/{pending.pk}/").content.decode()
    assert 'id="no-review"' in page and 'id="termination-approve"' not in page


def test_other_colleges_admin_and_graduates_cannot_review(pending, ready):
    other = As(ready.other_college_admin)
    assert other.post(f"/agreements/terminations/{pending.pk}/approve").status_code == 404
    assert other.get(f"/agreements/terminations/{pending.pk}").status_code == 404
    assert other.page(f"/staff/terminations/{pending.pk}/").status_code == 404
    assert other.submit(f"/staff/terminations/{pending.pk}/review/", {"action": "approve"}).status_code == 404
    letter = pending.letters.get()
    assert other.page(f"/signing/termination/letters/{letter.pk}/").status_code == 404
    assert As(ready.other_school_admin).get(f"/agreements/terminations/{pending.pk}").status_code == 404
    assert As(ready.graduate_user).post(f"/agreements/terminations/{pending.pk}/approve").status_code == 403
    assert As(ready.graduate_user).get("/agreements/terminations").status_code == 403
    pending.refresh_from_db()
    assert pending.status == TerminationStatus.SUBMITTED


def test_reject_needs_a_reason_and_is_shown_to_the_graduate(pending, ready):
    college = As(ready.college_admin)
    r = college.post(f"/agreements/terminations/{pending.pk}/reject", {"reason": "  "})
    assert r.status_code == 400 and r.json()["error"]["message"] == "不通过时请填写原因"
    page = college.submit(f"/staff/terminations/{pending.pk}/review/", {"action": "reject", "reason": ""})
    assert page.status_code == 302
    pending.refresh_from_db()
    assert pending.status == TerminationStatus.SUBMITTED
    r = college.post(f"/agreements/terminations/{pending.pk}/reject", {"reason": "解约材料未加盖公章"})
    assert r.status_code == 200 and r.json()["status_label"] == "未通过"
    html = As(ready.graduate_user).page("/signing/termination/").content.decode()
    assert "原因：解约材料未加盖公章" in html and "协议继续有效" in html and 'id="termination-form"' in html


def test_api_review_college_then_school(pending, ready):
    college, school = As(ready.college_admin), As(ready.school_admin)
    queue = college.get("/agreements/terminations").json()
    assert queue["status"] == "submitted" and [i["id"] for i in queue["items"]] == [pending.pk]
    assert queue["items"][0]["can_review"] is True
    assert school.get("/agreements/terminations").json()["count"] == 0
    assert college.post(f"/agreements/terminations/{pending.pk}/approve").json()["status"] == "college_approved"
    assert school.get("/agreements/terminations").json()["items"][0]["id"] == pending.pk
    done = school.post(f"/agreements/terminations/{pending.pk}/approve").json()
    assert done["status_label"] == "已解约"
    assert Agreement.objects.get(pk=pending.agreement_id).status == AgreementStatus.TERMINATED


# --- staff agreements ------------------------------------------------------------------------------------

def test_staff_agreement_list_detail_and_pdf_are_scoped(approved, ready):
    school = As(ready.school_admin)
    html = school.page("/staff/agreements/").content.decode()
    assert f'data-agreement="{approved.pk}"' in html and "学校审核通过" in html
    assert f"/staff/agreements/{approved.pk}/pdf" in html
    detail = school.page(f"/staff/agreements/{approved.pk}/").content.decode()
    assert 'id="agreement-timeline"' in detail and "网络签约" in detail and "毕业去向审核通过" in detail
    pdf = school.page(f"/staff/agreements/{approved.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert As(ready.other_college_admin).page(f"/staff/agreements/{approved.pk}/pdf").status_code == 404
    assert f'data-agreement="{approved.pk}"' not in As(ready.other_college_admin).page("/staff/agreements/").content.decode()
    assert As(ready.other_school_admin).get(f"/agreements/{approved.pk}").status_code == 404
    assert As(ready.stranger_user).get(f"/agreements/{approved.pk}/pdf").status_code == 404
    assert As(ready.graduate_user).get(f"/agreements/{approved.pk}").json()["number"] == approved.number
    assert As(ready.graduate_user).get("/agreements/").status_code == 403
    assert As(ready.graduate_user).page("/staff/agreements/").status_code == 403
    listed = As(ready.college_admin).get("/agreements/", q="王").json()
    assert listed["count"] == 1 and listed["items"][0]["review_status"] == "学校审核通过"
    assert listed["items"][0]["pdf_available"] is True
    assert As(ready.college_admin).get("/agreements/", status="terminated").json()["count"] == 0
    api_pdf = As(ready.college_admin).get(f"/agreements/{approved.pk}/pdf")
    assert api_pdf.status_code == 200 and b"".join(api_pdf.streaming_content).startswith(b"%PDF")


def _more_signed(world, n: int, *, apply_termination: bool = False):
    for i in range(n):
        g = f.make_graduate(college=world.college, name=f"学生{i}", pin=PIN)
        user = f.graduate_user(g)
        make_ready(g)
        invitation, _ = invite(g, user)
        accept(user, invitation)
        if apply_termination:
            signing.termination_apply(actor=user, reason="family", explanation="家庭原因", letters=[png()], pin=PIN)


def test_staff_list_query_counts_are_constant(ready):
    school, college = As(ready.school_admin), As(ready.college_admin)
    _more_signed(ready, 1, apply_termination=True)
    school.page("/staff/agreements/")  # warm caches
    college.page("/staff/terminations/")
    with CaptureQueriesContext(connection) as agreements_one:
        assert school.page("/staff/agreements/").content.decode().count("data-agreement=") == 1
    with CaptureQueriesContext(connection) as terminations_one:
        assert college.page("/staff/terminations/").content.decode().count("data-termination=") == 1
    _more_signed(ready, 4, apply_termination=True)
    with CaptureQueriesContext(connection) as agreements_five:
        assert school.page("/staff/agreements/").content.decode().count("data-agreement=") == 5
    with CaptureQueriesContext(connection) as terminations_five:
        assert college.page("/staff/terminations/").content.decode().count("data-termination=") == 5
    assert len(agreements_one) == len(agreements_five)
    assert len(terminations_one) == len(terminations_five)


# --- 学校设置 ----------------------------------------------------------------------------------------------

def test_settings_page_shows_defaults_and_validates_ranges(world):
    school = As(world.school_admin)
    html = school.page("/staff/settings/").content.decode()
    assert f"当前生效：{world.school.current_cohort - 1}年9月1日（默认）" in html
    assert f"当前生效：{world.school.current_cohort}年8月31日（默认）" in html
    for field, value, message in [("invitation_validity_days", "0", "邀约有效期应在1到60之间"),
                                  ("invitation_validity_days", "61", "邀约有效期应在1到60之间"),
                                  ("max_terminations", "11", "最大解约次数应在0到10之间"),
                                  ("max_terminations", "两次", "最大解约次数应为整数"),
                                  ("termination_opens_on", "2026-02-30", "解约开始日期格式不正确，应为“年-月-日”")]:
        data = {"invitation_validity_days": "7", "max_terminations": "3", field: value}
        response = school.submit("/staff/settings/", data)
        assert response.status_code == 400 and message in response.content.decode(), (field, value)
    assert not SchoolPolicy.objects.exists()


def test_settings_are_saved_and_audited(world):
    school = As(world.school_admin)
    response = school.submit("/staff/settings/", {"termination_opens_on": "2026-10-08", "invitation_validity_days": "10",
                                                  "max_terminations": "2", "signing_opens_on": "",
                                                  "destination_cutoff_on": ""})
    assert response.status_code == 302
    policy = SchoolPolicy.objects.get(school=world.school)
    assert (policy.termination_opens_on, policy.invitation_validity_days, policy.max_terminations) == (
        date(2026, 10, 8), 10, 2)
    entry = AuditEntry.objects.get(action="school.policy_update")
    assert entry.actor == world.school_admin and entry.school_id == world.school.pk
    assert entry.changes == {"termination_opens_on": ["默认", "2026-10-08"], "invitation_validity_days": ["7", "10"],
                             "max_terminations": ["3", "2"]}
    # saving the same values again records nothing new
    school.submit("/staff/settings/", {"termination_opens_on": "2026-10-08", "invitation_validity_days": "10",
                                       "max_terminations": "2"})
    assert AuditEntry.objects.filter(action="school.policy_update").count() == 1
    api = school.get("/agreements/school-policy").json()
    assert api["termination_opens_on"] == "2026-10-08" and api["effective_signing_opens_on"] == "2026-09-01"
    r = school.put("/agreements/school-policy", {"max_terminations": 11})
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"max_terminations": "最大解约次数应在0到10之间"}
    r = school.put("/agreements/school-policy", {"termination_opens_on": None, "max_terminations": 5})
    assert r.status_code == 200 and r.json()["termination_opens_on"] is None and r.json()["max_terminations"] == 5
    assert all(r.ok for r in audit_verify())


def test_settings_are_school_staff_only(world):
    assert As(world.college_admin).page("/staff/settings/").status_code == 403
    assert As(world.province_admin).page("/staff/settings/").status_code == 403
    assert As(world.graduate_user).page("/staff/settings/").status_code == 403
    assert As().page("/staff/settings/").status_code == 302
    assert As(world.college_admin).put("/agreements/school-policy", {"max_terminations": 1}).status_code == 403
    assert As(world.college_admin).submit("/staff/settings/", {"max_terminations": "1"}).status_code == 403
    assert not SchoolPolicy.objects.exists()
    # another school's admin changes only its own school
    As(world.other_school_admin).put("/agreements/school-policy", {"max_terminations": 1})
    assert SchoolPolicy.objects.get().school == world.other_school


def test_register_page_links_to_print_and_termination(world):
    html = As(world.graduate_user).page("/register/").content.decode()
    assert 'href="/signing/termination/"' in html and 'href="/signing/print/"' in html


def test_sidebar_links_by_role(world):
    school_html = As(world.school_admin).page("/staff/agreements/").content.decode()
    assert 'href="/staff/terminations/"' in school_html and 'href="/staff/settings/"' in school_html
    college_html = As(world.college_admin).page("/staff/agreements/").content.decode()
    assert 'href="/staff/terminations/"' in college_html and 'href="/staff/settings/"' not in college_html
