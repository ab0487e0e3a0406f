"""学历要求: the education levels a posting may ask for are the code table education_level,
scheme "anhui" (博士研究生, 硕士研究生, 本科, 专科, 高职（专科）), read as data. A posting stores
the chosen codes and a bit mask (bit i = the i-th code in table order) so the search can filter
on it without a join; no codes / mask 0 = 不限."""

from __future__ import annotations

from apps.reference.selectors import code_labels

SCHEME = "anhui"


def education_choices() -> list[tuple[str, str]]:
    return list(code_labels("education_level", SCHEME).items())


def education_bit(code: str) -> int:
    codes = [c for c, _ in education_choices()]
    return 1 << codes.index(code) if code in codes else 0


def education_mask(codes: list[str]) -> int:
    mask = 0
    for code in codes:
        mask |= education_bit(code)
    return mask


def education_text(codes: list[str]) -> str:
    labels = code_labels("education_level", SCHEME)
    return "、".join(labels.get(c, c) for c in codes) or "不限"
