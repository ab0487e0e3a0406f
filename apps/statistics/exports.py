"""就业统计 as .xlsx: a dashboard's figures (overview + the chosen breakdown), the province
ranking, and a frozen report (冻结报表). Written through apps/core/exports (XlsxBook: streaming,
formula-looking labels neutralised) from the very figures the page shows, so the file's totals
are the page's. Every download is recorded in the audit trail ("statistics.export")."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.exports import Column, XlsxBook
from apps.statistics.compute import RATE_ITEMS

EXPORT_ACTION = "statistics.export"
TOTAL_LABEL = "合计"
RATE_HEADER = "毕业去向落实率（%）"
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s·]+')


def _filename(*parts) -> str:
    """A Chinese file name without characters a file system or a browser would refuse."""
    return "_".join(_UNSAFE_IN_NAME.sub("", str(p)) for p in parts if p not in (None, "")) + ".xlsx"


SHARE_HEADER = "占毕业生比例（%）"  # the category breakdown: each 毕业去向's share of all graduates


def _rate_columns(first: str, *, share: bool = False) -> list[Column]:
    return [Column(first, 24), Column("毕业生数", 10), *[Column(label, 10) for label in RATE_ITEMS.values()],
            Column("已落实", 10), Column(SHARE_HEADER if share else RATE_HEADER, 18)]


def _rate_values(label: str, row, *, rate=None) -> list:
    return [label, row.graduates, *[getattr(row, key) for key in RATE_ITEMS], row.placed,
            row.rate if rate is None else rate]


def _total_values(overview, *, share: bool) -> list:
    """The 合计 line: the overview's total; under a share column every graduate is 100 %."""
    total = overview.total
    return _rate_values(TOTAL_LABEL, total, rate=rate_of(total.graduates, total.graduates) if share else None)


def _overview_rows(overview) -> list[tuple[str, object]]:
    total = overview.total
    return [
        ("统计范围", overview.scope_label),
        ("届别", f"{overview.cohort}届"),
        ("毕业生数", total.graduates),
        *[(label, getattr(total, key)) for key, label in RATE_ITEMS.items()],
        ("已落实", total.placed),
        (RATE_HEADER, total.rate),
        ("生源已确认", overview.origin_confirmed),
        ("网签（单位就业中）", overview.online_signed),
        ("网签占单位就业比例（%）", overview.online_share),
        ("审核积压", overview.pending_review),
        ("解约", overview.terminations),
        ("统计时间", timezone.localtime(overview.computed_at).strftime("%Y-%m-%d %H:%M")),
    ]


def _audit(*, actor, summary: str, school_id, college_id=None, changes: dict, client_address: str) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action=EXPORT_ACTION, summary=summary, target=None, school_id=school_id,
                     college_id=college_id, changes=changes, client_address=client_address)


def dashboard_workbook(*, actor, school, college, by: str, by_label: str, overview, breakdown,
                       client_address: str = "") -> tuple[str, bytes]:
    book = XlsxBook()
    head = book.sheet("概览", [Column("指标", 26), Column("数值", 30)])
    for label, value in _overview_rows(overview):
        head.append([label, value])
    table = book.sheet(f"按{by_label}"[:31], _rate_columns(by_label, share=by == "category"))
    for row in breakdown:
        table.append(_rate_values(row.label, row))
    table.append(_total_values(overview, share=by == "category"))
    filename = _filename("毕业去向落实率", school.name, college.name if college else "", f"{overview.cohort}届",
                         f"按{by_label}")
    _audit(actor=actor, summary=f"导出{overview.cohort}届就业统计：{overview.scope_label}，按{by_label}",
           school_id=school.pk, college_id=college.pk if college else None,
           changes={"届别": overview.cohort, "范围": overview.scope_label, "分组": by_label},
           client_address=client_address)
    return filename, book.to_bytes()


def province_workbook(*, actor, cohort: int, ranking, client_address: str = "") -> tuple[str, bytes]:
    book = XlsxBook()
    sheet = book.sheet("各院校", [Column("排名", 6), Column("院校", 28), Column("毕业生数", 10),
                                 *[Column(label, 10) for label in RATE_ITEMS.values()], Column("已落实", 10),
                                 Column(RATE_HEADER, 18), Column("数据截至", 18)])
    for r in ranking:
        sheet.append([r.rank, r.school_name, r.graduates, *[r.parts.get(key, 0) for key in RATE_ITEMS], r.placed,
                      r.rate, timezone.localtime(r.taken_at).strftime("%Y-%m-%d %H:%M") if r.taken_at else "暂无快照"])
    totals = province_totals(ranking)
    sheet.append(["", TOTAL_LABEL, totals["graduates"], *totals["parts"], totals["placed"], totals["rate"], ""])
    _audit(actor=actor, summary=f"导出{cohort}届全省毕业去向落实率：{len(ranking)}所院校", school_id=None,
           changes={"届别": cohort, "院校数": len(ranking)}, client_address=client_address)
    return _filename("全省毕业去向落实率", f"{cohort}届"), book.to_bytes()


def province_totals(ranking) -> dict:
    """The 合计 line of the province table and file: sums over the schools shown, and the rate
    of those sums (the same rounding as compute's rows)."""
    graduates = sum(r.graduates for r in ranking)
    placed = sum(r.placed for r in ranking)
    parts = [sum(r.parts.get(key, 0) for r in ranking) for key in RATE_ITEMS]
    return {"graduates": graduates, "parts": parts, "placed": placed, "rate": rate_of(placed, graduates)}


def rate_of(placed: int, graduates: int) -> Decimal:
    """placed / graduates × 100 with two decimals, rounded half up like compute's rows."""
    if not graduates:
        return Decimal("0.00")
    return (Decimal(placed) * 100 / Decimal(graduates)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# --- 冻结报表 ------------------------------------------------------------------------------------------

def frozen_view(report) -> dict:
    """A frozen report's kept figures as the pages and files show them: the overview and every
    breakdown it holds (in DIMENSIONS order), each with its rows."""
    from apps.statistics.compute import DIMENSIONS, overview_from_figures, row_from_dict

    figures = report.figures or {}
    overview = overview_from_figures(figures)
    kept = figures.get("breakdowns", {})
    breakdowns = []
    for by, label in DIMENSIONS.items():
        if by not in kept:
            continue
        rows = [row_from_dict(r) for r in kept[by]]
        if by == "category":  # as on the dashboard: each category's share of all graduates
            rows = [replace(r, rate=rate_of(r.graduates, overview.total.graduates)) for r in rows]
        breakdowns.append({"by": by, "label": label, "rows": rows})
    return {"overview": overview, "breakdowns": breakdowns,
            "parts": [{"key": key, "label": label, "value": getattr(overview.total, key)}
                      for key, label in RATE_ITEMS.items()]}


def frozen_workbook(*, actor, report, client_address: str = "") -> tuple[str, bytes]:
    view = frozen_view(report)
    overview = view["overview"]
    book = XlsxBook()
    head = book.sheet("概览", [Column("指标", 26), Column("数值", 30)])
    head.append(["统计截止日期", report.as_of.strftime("%Y-%m-%d")])
    head.append(["冻结时间", timezone.localtime(report.frozen_at).strftime("%Y-%m-%d %H:%M")])
    for label, value in _overview_rows(overview):
        head.append([label, value])
    for breakdown in view["breakdowns"]:
        sheet = book.sheet(f"按{breakdown['label']}"[:31],
                           _rate_columns(breakdown["label"], share=breakdown["by"] == "category"))
        for row in breakdown["rows"]:
            sheet.append(_rate_values(row.label, row))
        sheet.append(_total_values(overview, share=breakdown["by"] == "category"))
    _audit(actor=actor, summary=f"导出冻结报表：{report.school.name} {report.cohort}届 截至{report.as_of:%Y-%m-%d}",
           school_id=report.school_id, changes={"届别": report.cohort, "截止日期": report.as_of.isoformat()},
           client_address=client_address)
    return _filename("冻结报表", report.school.name, f"{report.cohort}届", f"截至{report.as_of:%Y%m%d}"), book.to_bytes()
