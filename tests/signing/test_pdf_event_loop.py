"""pyHanko's synchronous signing and validation run their own asyncio loop: from a thread that
already runs one (an ASGI server; the test session once Playwright's sync API has started) they
used to fail, and a genuine agreement PDF was then reported as 「文件已被修改」."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest
from weasyprint import HTML

from apps.signing.documents import sign_pdf, signature_intact


@pytest.fixture
def keys(settings, tmp_path):
    settings.PLATFORM_SIGNING_KEY_DIR = tmp_path / "signing"


def _sign_and_check() -> tuple[bool, bool]:
    signed = sign_pdf(HTML(string="<p>协议书</p>").write_pdf())
    tampered = signed[:-10] + b"%%EOF\n\n\n\n"
    return signature_intact(signed), signature_intact(tampered + b"x")


def test_signing_and_checking_outside_an_event_loop(keys):
    assert _sign_and_check() == (True, False)


def test_signing_and_checking_inside_a_running_event_loop(keys):
    async def inside_a_loop():
        return _sign_and_check()

    # a thread of the test's own, so the suite's Playwright loop (if any) does not stop asyncio.run here
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result() == (True, False)
