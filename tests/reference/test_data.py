"""The loaded reference data: known divisions, the division tree, and reloading a code table."""

from __future__ import annotations

import csv
import shutil

import pytest

from apps.reference import selectors
from apps.reference.loading import DATA_DIR, load_all, load_code_table
from apps.reference.models import CodeEntry, Division

KNOWN_COUNTIES = [
    ("340104", "安徽省合肥市蜀山区"),
    ("653229", "新疆维吾尔自治区和田地区和安县"),  # created 2024
    ("500157", "重庆市两江新区"),  # a municipality's district: no city level
]


@pytest.mark.parametrize(("code", "full_name"), KNOWN_COUNTIES)
def test_known_county_exists_is_current_and_county_level(reference, code, full_name):
    division = Division.objects.get(code=code)
    assert division.full_name == full_name
    assert division.is_current and division.is_county_level
    assert division.level == 3
    assert selectors.county_division(code) == division


def test_municipality_district_hangs_directly_under_the_province(reference):
    assert Division.objects.get(code="500157").parent_id == "500000"


@pytest.mark.parametrize("code", ["340100", "340000", "653200", "500000"])
def test_province_and_city_with_counties_are_not_county_level(reference, code):
    assert Division.objects.get(code=code).is_county_level is False
    assert selectors.county_division(code) is None


def test_city_without_counties_is_a_county_level_leaf(reference):
    dongguan = Division.objects.get(code="441900")
    assert (dongguan.name, dongguan.level, dongguan.parent_id) == ("东莞市", 2, "440000")
    assert dongguan.is_county_level
    assert not dongguan.children.exists()


def test_every_current_county_level_division_reaches_a_province(reference):
    divisions = {d.code: d for d in Division.objects.all()}
    counties = [d for d in divisions.values() if d.is_current and d.is_county_level]
    assert len(counties) > 2800
    for county in counties:
        node, seen = county, set()
        while node.parent_id is not None:
            assert node.code not in seen, f"cycle at {node.code}"
            seen.add(node.code)
            parent = divisions[node.parent_id]
            assert parent.level < node.level, f"{node.code} under {parent.code}"
            assert parent.is_current, f"{county.code} under withdrawn {parent.code}"
            node = parent
        assert node.level == 1, f"{county.code} does not reach a province"
        assert county.full_name.startswith(node.name)


def _write_destination(path, *, add=None, drop=None, rename=None):
    with (DATA_DIR / "codes" / "destination.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fieldnames, rows = reader.fieldnames, list(reader)
    rows = [r for r in rows if r["code"] != drop]
    for row in rows:
        if rename and row["code"] == rename[0]:
            row["name"] = rename[1]
    if add:
        rows.append({**dict.fromkeys(fieldnames, ""), **add})
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def test_reloading_a_table_adds_new_codes_and_deactivates_dropped_ones(reference, tmp_path):
    # labels are cached per process: read them first so the reload has to invalidate them
    assert selectors.code_label("destination", "82") == "升学(规陪)"
    assert selectors.code_label("destination", "99") == "99"
    before = CodeEntry.objects.filter(table__slug="destination").count()

    path = tmp_path / "destination.csv"
    _write_destination(path, add={"code": "99", "name": "测试新去向", "group": "就业", "status": "local-unverified"},
                       drop="82", rename=("76", "自由职业（新名称）"))
    load_code_table("destination", path)
    selectors.bump_version()  # load_all does this; a direct load_code_table caller must too

    new = CodeEntry.objects.get(table__slug="destination", code="99")
    assert new.is_active and new.group == "就业" and new.status == "local-unverified"
    dropped = CodeEntry.objects.get(table__slug="destination", code="82")  # kept for old records
    assert dropped.is_active is False
    assert CodeEntry.objects.filter(table__slug="destination").count() == before + 1
    assert selectors.code_label("destination", "99") == "测试新去向"
    assert selectors.code_label("destination", "82") == "82"
    assert selectors.code_label("destination", "76") == "自由职业（新名称）"
    assert "82" not in {e.code for e in selectors.code_entries("destination")}

    # putting the code back reactivates the same row
    load_code_table("destination", DATA_DIR / "codes" / "destination.csv")
    selectors.bump_version()
    assert CodeEntry.objects.get(table__slug="destination", code="82").is_active
    assert not CodeEntry.objects.get(table__slug="destination", code="99").is_active
    assert selectors.code_label("destination", "82") == "升学(规陪)"


def test_load_all_invalidates_cached_labels(reference, tmp_path):
    assert selectors.code_label("destination", "76") == "自由职业"
    codes_dir = tmp_path / "codes"
    shutil.copytree(DATA_DIR / "codes", codes_dir)
    _write_destination(codes_dir / "destination.csv", rename=("76", "自由职业（新名称）"))
    counts = load_all(codes_dir)
    assert counts["destination"] == 32
    assert counts["divisions"] == Division.objects.filter(is_current=True).count()
    assert selectors.code_label("destination", "76") == "自由职业（新名称）"
