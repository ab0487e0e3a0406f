"""毕业去向落实率 and its breakdowns, computed in the database (contract; bodies by the
statistics work of issue 14).

The rule (docs/statistics.md): 落实率 = (单位就业 + 自主创业 + 自由职业 + 升学) / all graduates of
the cohort in scope, the four parts taken from the destination code table's `rate_item`
column (never from literal codes here). A graduate counts in a part only when their
destination is 审核通过 (school_approved); every graduate of the cohort counts in the
denominator, registered or not. A terminated agreement resets the destination (待就业, draft),
so it no longer counts.

Every figure is an aggregate query (COUNT … FILTER / GROUP BY), never a Python loop over
graduates; labels come from the reference snapshot (`code_labels`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# 分组维度: the `by` values every page, export and API accepts
DIMENSIONS: dict[str, str] = {
    "college": "院系",
    "major": "专业",
    "education_level": "学历层次",
    "gender": "性别",
    "origin_province": "生源地",
    "hardship": "困难生类别",
    "normal_student": "师范生类别",
    "category": "毕业去向",
    "school": "学校",  # province staff only
}

# the four parts of the rate, in display order: rate_item value in destination.csv → label
RATE_ITEMS: dict[str, str] = {
    "unit": "单位就业",
    "self_employed": "自主创业",
    "freelance": "自由职业",
    "further_study": "升学",
}


@dataclass(frozen=True)
class RateRow:
    """One line of a breakdown (a college, a gender, …) or the total."""

    key: str  # the group's code or id as a string ("" for 未填写 / the total)
    label: str
    graduates: int  # denominator: every graduate of the cohort in the group
    unit: int  # 单位就业 (approved)
    self_employed: int  # 自主创业
    freelance: int  # 自由职业
    further_study: int  # 升学
    placed: int  # the sum of the four
    rate: Decimal  # placed / graduates × 100, two decimals (Decimal("0.00") when graduates is 0)


@dataclass(frozen=True)
class Overview:
    """The head of a dashboard: the total and the counts beside the rate."""

    cohort: int
    scope_label: str  # e.g. 安徽示例大学 · 计算机学院
    total: RateRow
    origin_confirmed: int  # 生源已确认
    online_signed: int  # 单位就业 through an online agreement (source online_signing, approved)
    online_share: Decimal  # online_signed / unit × 100, two decimals
    pending_review: int  # 审核积压: submitted + college_approved
    terminations: int  # 解约 (terminations completed this cohort)
    computed_at: datetime


@dataclass(frozen=True)
class TrendPoint:
    day: date
    graduates: int
    placed: int
    rate: Decimal


@dataclass(frozen=True)
class SchoolRank:
    """Province overview: one school, from its latest snapshot, with its rank by rate."""

    rank: int
    school_id: int
    school_name: str
    graduates: int
    placed: int
    rate: Decimal
    parts: dict = field(default_factory=dict)  # RATE_ITEMS key → count
    taken_at: datetime | None = None
