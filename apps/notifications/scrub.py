"""Nothing that leaves the platform by e-mail or SMS carries a full ID number or phone number.

`scrub_personal_numbers(text)` masks, wherever they stand in a text:
- 18-character 居民身份证号 (17 digits + digit/X), as apps.core.text.mask_id_number does
  (3401**********123X);
- 11-digit mobile numbers (1[3-9]…), also written 138 1234 5678 / 138-1234-5678 / +86…,
  as apps.core.text.mask_phone does (138****5678);
- landlines with an area code (0551-62345678, (0551)6234567, 010 12345678): the area code is
  kept, the number's first two and last two digits (0551-62****78).
Every outgoing subject and body passes through it (apps/notifications/delivery.py)."""

from __future__ import annotations

import re

from apps.core.text import mask_id_number, mask_phone

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(\(?0\d{2,3}\)?)[\s-]?(\d{7,8})(?![0-9])")


def _mask_landline(match: re.Match) -> str:
    number = match.group(2)
    return f"{match.group(1)}-{number[:2]}{'*' * (len(number) - 4)}{number[-2:]}"


def scrub_personal_numbers(text: str) -> str:
    if not text:
        return ""
    text = _ID.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_phone("".join(m.groups())), text)
    return _LANDLINE.sub(_mask_landline, text)
