"""签到 codes and windows for fairs and 宣讲会, decided once (the services, the staff screen, the
API and every page that states the rotation read them from here).

The staff screen shows a QR of `{PUBLIC_BASE_URL}/checkin/<fair|session>/<pk>/<code>/`. The code
changes every `CHECKIN_CODE_ROTATE_SECONDS` and a scanned code is accepted while it is younger
than `CHECKIN_CODE_VALID_SECONDS`: a photo of the screen sent to a friend at home expires. The
code is an HMAC of the time window under a key made of the site's SECRET_KEY and the event's own
`checkin_secret`, so a code of one event says nothing about another's, and nothing is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from apps.core.errors import DomainError

# no 0/O, 1/I: read off a projector and typed by hand; 32 letters, so a byte maps evenly
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8

MSG_CODE_EXPIRED = "二维码无效或已过期，请扫描现场屏幕上的最新二维码"


def rotate_seconds() -> int:
    return max(1, int(settings.CHECKIN_CODE_ROTATE_SECONDS))


def valid_seconds() -> int:
    return max(1, int(settings.CHECKIN_CODE_VALID_SECONDS))


def opens_minutes_before() -> int:
    return max(0, int(settings.CHECKIN_OPENS_MINUTES_BEFORE))


def _key(secret: str) -> bytes:
    # a key of its own for check-in codes, derived from SECRET_KEY (never SECRET_KEY itself)
    base = hashlib.sha256(b"platform.checkin-code:" + settings.SECRET_KEY.encode()).digest()
    return base + secret.encode()


def _window(at: datetime) -> int:
    return int(at.timestamp()) // rotate_seconds()


def _code_for_window(secret: str, window: int) -> str:
    digest = hmac.new(_key(secret), str(window).encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def rotating_code(secret: str, *, at: datetime) -> str:
    """The code the screen shows at `at`."""
    return _code_for_window(secret, _window(at))


def code_seconds_left(*, at: datetime) -> int:
    """Seconds until the screen's code changes."""
    step = rotate_seconds()
    return step - int(at.timestamp()) % step


def code_is_valid(secret: str, code: str, *, at: datetime) -> bool:
    """Whether `code` was shown within the last `valid_seconds()` (the current window and as
    many earlier ones as started less than that long ago). Constant-time comparisons."""
    given = (code or "").strip().upper()
    if len(given) != CODE_LENGTH:
        return False
    step, current, now_ts = rotate_seconds(), _window(at), at.timestamp()
    matched = False
    back = 0
    while back == 0 or now_ts - (current - back) * step < valid_seconds():
        # every candidate is compared (no early exit): the time taken says nothing
        matched |= hmac.compare_digest(_code_for_window(secret, current - back), given)
        back += 1
    return matched


def check_code(secret: str, code: str, *, at: datetime) -> None:
    if not code_is_valid(secret, code, at=at):
        raise DomainError(MSG_CODE_EXPIRED, code="code_expired", fields={"code": MSG_CODE_EXPIRED})


# --- events: a JobFair or an InfoSession -----------------------------------------------------

def is_session(event) -> bool:
    return type(event).__name__ == "InfoSession"


def event_times(event) -> tuple[datetime, datetime]:
    """(start, end) of a fair or of a 宣讲会 (its date and slot, apps/infosessions/slots.py)."""
    if not is_session(event):
        return event.starts_at, event.ends_at
    from apps.infosessions.slots import BY_CODE

    slot = BY_CODE[event.slot]
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(event.date, slot.starts), tz),
            timezone.make_aware(datetime.combine(event.date, slot.ends), tz))


def window_opens(event) -> datetime:
    return event_times(event)[0] - timedelta(minutes=opens_minutes_before())


def window_phase(event, *, at: datetime) -> str:
    """'before' / 'open' / 'after': check-in runs from `CHECKIN_OPENS_MINUTES_BEFORE` before the
    start to the end of the event."""
    if at < window_opens(event):
        return "before"
    if at >= event_times(event)[1]:
        return "after"
    return "open"


def _minute(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def window_refusal(event, *, at: datetime) -> str:
    """'' while check-in is open, else why not (with the opening time)."""
    phase = window_phase(event, at=at)
    if phase == "before":
        return (f"签到尚未开始：活动开始前{opens_minutes_before()}分钟"
                f"（{_minute(window_opens(event))}）起可以签到")
    if phase == "after":
        return "活动已结束，签到已关闭"
    return ""


def checkin_path(event, code: str) -> str:
    from django.urls import reverse

    name = "session-checkin" if is_session(event) else "fair-checkin"
    return reverse(name, args=[event.pk, code])


def checkin_url(event, code: str) -> str:
    """The absolute address the screen's QR carries (PUBLIC_BASE_URL: what phones reach)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + checkin_path(event, code)


def rotation_text() -> str:
    return f"二维码每{rotate_seconds()}秒更新一次，拍照转发的二维码{valid_seconds()}秒后失效"


# --- a scan made before logging in ----------------------------------------------------------
# A graduate who is not logged in when they scan needs longer than a code's validity to log in.
# The scan is remembered in the login's return link as a signed note of the code and the time
# it was accepted; within LOGIN_GRACE_MINUTES the door checks the code at that time instead.
LOGIN_GRACE_MINUTES = 10
_SCAN_SALT = "fairs.checkin-scan"


def scan_note(event, code: str, *, at: datetime) -> str:
    from django.core import signing

    return signing.dumps({"e": f"{type(event).__name__}:{event.pk}", "c": code.strip().upper(),
                          "t": int(at.timestamp())}, salt=_SCAN_SALT, compress=True)


def scan_note_time(event, code: str, note: str) -> datetime | None:
    """When this event's code was scanned, from a note `scan_note` made (None if forged, stale
    or about another event or code)."""
    from django.core import signing

    if not note:
        return None
    try:
        data = signing.loads(note, salt=_SCAN_SALT, max_age=LOGIN_GRACE_MINUTES * 60)
    except signing.BadSignature:
        return None
    if data.get("e") != f"{type(event).__name__}:{event.pk}" or data.get("c") != code.strip().upper():
        return None
    return datetime.fromtimestamp(int(data.get("t", 0)), tz=timezone.get_current_timezone())
