"""Everything people read is Chinese: starting from each demo persona's home page, every
same-site page reachable by links (GET only) and the error pages are fetched, and the visible
text — text nodes, plus title / placeholder / alt / aria-label and button captions — must not
contain a Latin-letter word outside a short allow-list (API, PDF, QR, Excel, codes that are
meant to be shown). English cannot creep back unnoticed.

The world is the permission matrix's rich world (tests/security/conftest.py): a graduate with
a registration, an invitation, an approved agreement with its PDF, a pending termination, a
correction, an archive mailing, notifications; a roster import and a notice."""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings

from tests.security.conftest import security_world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PAGES_PER_PERSONA = 250
# Latin words a Chinese user is meant to read: product and format names and codes.
ALLOWED_WORDS = {
    "api", "pdf", "qr", "excel", "xlsx", "xls", "csv", "ems", "id", "pin", "jpg", "jpeg", "png", "heic", "mb", "kb",
    "gb", "t",  # GB/T, the national standards' prefix
    "app", "wifi",
}
# Links never followed: they change state, download files, or lead to developer pages.
SKIP = re.compile(r"logout|unbind|/pdf|\.pdf|download|export|xlsx|template|/api/|/static/|/media/|"
                  + re.escape("/" + settings.PLATFORM_ADMIN_PATH))
HOMES = {
    "owner": ["/", "/home/", "/register/", "/services/", "/me/"],  # the graduate's four tabs (phone pages)
    "employer": ["/", "/employer/"],
    "college_staff": ["/", "/staff/"],
    "school_staff": ["/", "/staff/"],
    "province_staff": ["/", "/staff/"],
    "anonymous": ["/", "/login/", "/staff/login/", "/print/", "/verify/", "/sign/code/"],
}


class VisibleText(HTMLParser):
    """Text a person reads (or hears from a screen reader), and the page's links."""

    HIDDEN = {"script", "style", "template"}
    READ_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        self.parts += [values[name] for name in self.READ_ATTRIBUTES if values.get(name)]
        if tag == "input" and values.get("type") in {"submit", "button", "reset"} and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and data.strip():
            self.parts.append(data)


def latin_words(text: str, codes: set[str]) -> list[str]:
    """Latin-letter tokens that are neither allowed words nor codes. A token with a digit or
    a mask star is a code (学号, masked ID numbers, credit codes, tracking numbers); a single
    capital letter is a code too (e.g. the GB/T 4754 sections A–T)."""
    found = []
    for token in re.findall(r"[A-Za-z0-9_*\-]*[A-Za-z][A-Za-z0-9_*\-]*", text):
        if re.search(r"[0-9*]", token) or token in codes or re.fullmatch(r"[A-Z]", token):
            continue
        if all(word.lower() in ALLOWED_WORDS for word in re.findall(r"[A-Za-z]+", token)):
            continue
        found.append(token)
    return found


def shown_codes(world) -> set[str]:
    """Random codes of the world that may be all letters by chance (名片码, 验证码, 打印码)."""
    from apps.signing.models import Agreement, PrintSession, SigningCard

    codes = set(SigningCard.objects.values_list("short_code", flat=True))
    codes |= set(Agreement.objects.values_list("verification_code", flat=True))
    codes |= set(Agreement.objects.values_list("number", flat=True))
    codes |= set(PrintSession.objects.values_list("short_code", flat=True))
    from apps.recommendations.models import RecommendationForm

    # 就业推荐表 verification codes ("TJ" + random letters: all letters now and then)
    codes |= set(RecommendationForm.objects.exclude(verification_code=None).values_list("verification_code", flat=True))
    # login names of staff and employers, shown beside their names (the test world's display
    # names are built from them)
    codes |= {user.username for user in world.users.values() if user is not None}
    codes |= {word for user in world.users.values() if user is not None
              for word in re.findall(r"[A-Za-z_]+", user.display_name)}  # tests/factories.py: "<role>测试"
    return {c for c in codes if c}


def fresh_codes() -> set[str]:
    from datetime import timedelta
    from itertools import chain

    from django.utils import timezone

    from apps.fairs.checkin import rotate_seconds, rotating_code
    from apps.fairs.models import JobFair
    from apps.infosessions.models import InfoSession
    from apps.signing.models import PrintSession, SigningCard

    codes = set(PrintSession.objects.values_list("short_code", flat=True)) | set(
        SigningCard.objects.values_list("short_code", flat=True))
    # the 签到码 on a check-in screen (8 letters and digits, all letters by chance now and then):
    # this window's and the previous one's, as the page may have been drawn just before a rotation
    now = timezone.now()
    secrets = chain(JobFair.objects.values_list("checkin_secret", flat=True),
                    InfoSession.objects.values_list("checkin_secret", flat=True))
    for secret in secrets:
        codes |= {rotating_code(secret, at=now), rotating_code(secret, at=now - timedelta(seconds=rotate_seconds()))}
    return codes


def excerpt(text: str, word: str) -> str:
    at = text.find(word)
    return text[max(0, at - 30): at + len(word) + 30].replace("\n", " ")


def check_page(html: str, codes: set[str]) -> tuple[list[str], list[str]]:
    parser = VisibleText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    return [f"{w!r} in «{excerpt(text, w)}»" for w in latin_words(text, codes)], parser.links


def crawl(client: Client, starts: list[str], codes: set[str], findings: dict, visited_all: dict, persona: str):
    queue = list(starts)
    seen: set[str] = set(queue)
    fetched = 0
    while queue and fetched < PAGES_PER_PERSONA:
        url = queue.pop(0)
        response = client.get(url)
        fetched += 1
        if response.status_code >= 500:
            findings[f"{persona} {url}"] = [f"server error {response.status_code}"]
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = urljoin(url, response["Location"])
            if not urlsplit(target).netloc and target not in seen and not SKIP.search(target):
                seen.add(target)
                queue.append(target)
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        # a page may have just issued a random code (the PC print page's 打印码, a 名片码): read them anew
        problems, links = check_page(html, codes | fresh_codes())
        visited_all[persona].append((url, response.status_code))
        if problems:
            findings[f"{persona} {url} ({response.status_code})"] = problems
        if "/api/v1/docs" in html:
            findings[f"{persona} {url}"] = ["links to the developers' API docs (/api/v1/docs)"]
        for link in links:
            link = urldefrag(urljoin(url, link))[0]
            parts = urlsplit(link)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen and not SKIP.search(link):
                seen.add(link)
                queue.append(link)


def test_every_page_a_persona_reaches_is_chinese(security_world):  # noqa: F811
    w = security_world
    codes = shown_codes(w)
    starts = {name: list(paths) for name, paths in HOMES.items()}
    # pages reached by scanning a QR or following an e-mailed link, not by a link on a page
    starts["anonymous"] += [f"/sign/c/{w.ids.card_token}/", f"/sign/follow/{w.ids.follow_token}/",
                            f"/verify/?code={w.ids.verification_code}"]
    starts["employer"] += [f"/sign/c/{w.ids.card_token}/"]
    findings: dict[str, list[str]] = {}
    visited: dict[str, list] = defaultdict(list)
    for persona, paths in starts.items():
        client = Client(raise_request_exception=False)
        if w.users[persona] is not None:
            client.force_login(w.users[persona])
        crawl(client, paths, codes, findings, visited, persona)

    report = "\n".join(f"{page}: {'; '.join(problems)}" for page, problems in sorted(findings.items()))
    print(f"crawled: { {persona: len(pages) for persona, pages in visited.items()} }")
    print(report)
    assert not findings, f"Latin words on {len(findings)} page(s):\n{report}"
    # the crawl really went deep: detail pages of each workflow were read
    for persona, minimum in {"owner": 15, "school_staff": 25, "college_staff": 20, "province_staff": 5,
                             "employer": 4, "anonymous": 6}.items():
        assert len(visited[persona]) >= minimum, (persona, visited[persona])
    school_pages = {url for url, _ in visited["school_staff"]}
    for detail in (f"/staff/agreements/{w.ids.agreement}/", f"/staff/graduates/{w.ids.graduate}/"):
        assert detail in school_pages, sorted(school_pages)


ERROR_MODES = [pytest.param(False, id="debug-off"), pytest.param(True, id="debug-on")]


@pytest.mark.parametrize("debug", ERROR_MODES)
def test_error_pages_are_chinese(security_world, monkeypatch, debug):  # noqa: F811
    import apps.core.views

    codes = shown_codes(security_world)
    site = Client(raise_request_exception=False)
    pages = {}
    with override_settings(DEBUG=debug):
        pages[404] = site.get("/no/such/page/")
        pages[405] = site.get("/staff/logout/")
        pages[400] = site.get("/login/", HTTP_HOST="evil.example")
        pages["403 csrf"] = Client(enforce_csrf_checks=True).post("/staff/login/", {"username": "x", "password": "y"})
        staff = Client(raise_request_exception=False)
        staff.force_login(security_world.users["school_staff"])

        def refuse(*args, **kwargs):
            raise PermissionDenied

        monkeypatch.setattr(apps.core.views, "visible_to", refuse)
        pages[403] = staff.get("/staff/")

        def explode(*args, **kwargs):
            raise RuntimeError("internal failure")

        monkeypatch.setattr(apps.core.views, "visible_to", explode)
        pages[500] = staff.get("/staff/")
    findings = {}
    for kind, response in pages.items():
        assert str(response.status_code) == str(kind).split()[0], (kind, response.status_code)
        problems, _ = check_page(response.content.decode(), codes)
        if problems:
            findings[kind] = problems
    assert not findings, findings


def test_the_checker_catches_english():
    """The check above can fail: English text, captions and hints are found; codes are not."""
    html = ('<h1>Page not found</h1><button title="Close">关闭</button><input type="submit" value="Save">'
            '<input placeholder="Search"><script>var english = "ignored";</script>'
            '<p>学号 2023010001，身份证 3401**********011X，信用代码 91340100MA2N8Q7K0X，导出 Excel、PDF、QR</p>')
    problems, _ = check_page(html, set())
    words = {p.split("'")[1] for p in problems}
    assert words == {"Page", "not", "found", "Close", "Save", "Search"}
