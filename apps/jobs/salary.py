"""月薪区间 (salary bands): one list for the posting form's check, the search filter, the
intention's expected salary and the match reason. Amounts are 元/月."""

from __future__ import annotations

from dataclasses import dataclass

SALARY_CEILING = 1_000_000  # a posting's monthly salary above this is a typing error


@dataclass(frozen=True)
class SalaryBand:
    key: str
    label: str
    low: int  # inclusive
    high: int | None  # exclusive; None = no upper bound


BANDS = (
    SalaryBand("lt3k", "3000元以下", 0, 3000),
    SalaryBand("3k-5k", "3000–5000元", 3000, 5000),
    SalaryBand("5k-8k", "5000–8000元", 5000, 8000),
    SalaryBand("8k-12k", "8000–12000元", 8000, 12000),
    SalaryBand("12k-20k", "12000–20000元", 12000, 20000),
    SalaryBand("ge20k", "20000元以上", 20000, None),
)
BAND_BY_KEY = {band.key: band for band in BANDS}


def band_overlap_q(key: str, prefix: str = ""):
    """Q for postings whose [salary_min, salary_max] overlaps the band; None for an unknown key."""
    from django.db.models import Q

    band = BAND_BY_KEY.get(key or "")
    if band is None:
        return None
    q = Q(**{f"{prefix}salary_max__gte": band.low})
    if band.high is not None:
        q &= Q(**{f"{prefix}salary_min__lt": band.high})
    return q


def salary_text(low: int, high: int) -> str:
    return f"{low}–{high}元/月" if low != high else f"{low}元/月"
