"""The rotating 签到 code: a photo of the screen stops working once it is older than its
validity; the current and the previous code work; codes differ between events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.fairs import checkin

SECRET = "0123456789abcdef0123456789abcdef"
# the start of a rotation window (a multiple of 30 s since the epoch)
T0 = datetime(2026, 12, 2, 9, 0, 0, tzinfo=UTC)


def test_code_is_eight_unambiguous_characters_and_stable_within_a_window():
    code = checkin.rotating_code(SECRET, at=T0)
    assert len(code) == 8 and set(code) <= set(checkin.CODE_ALPHABET)
    assert not set(code) & set("01OI")
    assert checkin.rotating_code(SECRET, at=T0 + timedelta(seconds=29)) == code
    assert checkin.rotating_code(SECRET, at=T0 + timedelta(seconds=30)) != code


def test_current_and_previous_codes_are_accepted_older_ones_refused():
    shown = checkin.rotating_code(SECRET, at=T0)
    assert checkin.code_is_valid(SECRET, shown, at=T0)
    assert checkin.code_is_valid(SECRET, shown, at=T0 + timedelta(seconds=45))   # previous window
    assert checkin.code_is_valid(SECRET, shown, at=T0 + timedelta(seconds=59))
    assert not checkin.code_is_valid(SECRET, shown, at=T0 + timedelta(seconds=60))  # two windows on
    assert not checkin.code_is_valid(SECRET, shown, at=T0 + timedelta(hours=2))


def test_an_expired_code_is_refused_with_the_chinese_message():
    shown = checkin.rotating_code(SECRET, at=T0)
    with pytest.raises(checkin.DomainError) as refused:
        checkin.check_code(SECRET, shown, at=T0 + timedelta(seconds=90))
    assert refused.value.message == "二维码无效或已过期，请扫描现场屏幕上的最新二维码"


def test_codes_are_read_case_insensitively_and_junk_is_refused():
    shown = checkin.rotating_code(SECRET, at=T0)
    assert checkin.code_is_valid(SECRET, f" {shown.lower()} ", at=T0)
    assert not checkin.code_is_valid(SECRET, "", at=T0)
    assert not checkin.code_is_valid(SECRET, "ABCDEFGH", at=T0)
    assert not checkin.code_is_valid(SECRET, shown + "X", at=T0)


def test_another_event_has_other_codes():
    assert checkin.rotating_code(SECRET, at=T0) != checkin.rotating_code("f" * 32, at=T0)
    assert not checkin.code_is_valid("f" * 32, checkin.rotating_code(SECRET, at=T0), at=T0)


def test_rotation_and_validity_come_from_settings(settings):
    settings.CHECKIN_CODE_ROTATE_SECONDS = 10
    settings.CHECKIN_CODE_VALID_SECONDS = 30
    shown = checkin.rotating_code(SECRET, at=T0)
    assert checkin.rotating_code(SECRET, at=T0 + timedelta(seconds=10)) != shown
    assert checkin.code_is_valid(SECRET, shown, at=T0 + timedelta(seconds=29))
    assert not checkin.code_is_valid(SECRET, shown, at=T0 + timedelta(seconds=30))
    assert checkin.rotation_text() == "二维码每10秒更新一次，拍照转发的二维码30秒后失效"


def test_secret_key_is_part_of_the_code(settings):
    before = checkin.rotating_code(SECRET, at=T0)
    settings.SECRET_KEY = "another-site-secret-key-for-this-test-only-0123456789"
    assert checkin.rotating_code(SECRET, at=T0) != before
