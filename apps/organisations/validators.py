"""统一社会信用代码 (GB 32100) checks shared by destinations, employers and online signing."""

from __future__ import annotations

from stdnum.cn import uscc

from apps.core.errors import DomainError
from apps.core.text import normalise

_ALPHABET = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def clean_credit_code(value: str) -> tuple[str, bool]:
    """Return (code, flagged). stdnum requires the first eight characters to be digits,
    but GB 32100 lets some registration authorities use a letter in the first position:
    such a code is accepted when its check character is right, and flagged for a human look."""
    code = normalise(value).upper()
    if len(code) != 18:
        raise DomainError("统一社会信用代码应为18位")
    if any(c not in _ALPHABET for c in code):
        raise DomainError("统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）")
    if uscc.is_valid(code):
        return code, False
    if not code[0].isdigit() and code[-1] == uscc.calc_check_digit(code):
        return code, True
    raise DomainError("统一社会信用代码校验位不正确，请核对")
