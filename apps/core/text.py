"""Input normalisation and masking shared by login, roster import and display."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise(value: str | None) -> str:
    """Full-width to half-width (NFKC), and every space removed — also inner ones, as
    graduates copy numbers with stray spaces (the handbook's 检查是否有空格)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub("", text.replace("\u3000", " "))


def normalise_id_number(value: str | None) -> str:
    return normalise(value).upper()


def normalise_name(value: str | None) -> str:
    # A middle dot in minority names comes in several code points; keep one.
    return normalise(value).replace("•", "·").replace("・", "·").replace(".", "·")


def mask_id_number(value: str | None) -> str:
    """3401**********123X: first four and last four characters kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678"""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
