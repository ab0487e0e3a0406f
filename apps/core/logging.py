"""A last line of defence: whatever reaches a log handler has ID and phone numbers masked."""

from __future__ import annotations

import logging
import re

from apps.core.text import mask_id_number, mask_phone

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def scrub(text: str) -> str:
    text = _ID.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # a traceback's last line can quote a value (e.g. a database error's key); the
            # formatter reuses exc_text, so the scrubbed text is what gets written
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return True
