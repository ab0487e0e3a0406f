"""CI-size run of bench/checkin.py (issue 13: fair check-in and 宣讲会 sign-up). Timings are not
asserted here; the invariants are: each graduate counts once at the fair (second scans and a
race of scans for one graduate count nothing), sign-ups stop at the room's capacity, and the
staff attendance and employer visitors pages run the same statements with few and all
check-ins."""

from __future__ import annotations

import pytest

from bench import checkin as bench


@pytest.mark.django_db(transaction=True)  # the race uses one database connection per thread
def test_checkin_benchmark_counts_once_and_respects_capacity(reference, media, settings):
    settings.TASKS_BACKEND = "database"
    result = bench.measure(graduates=20, capacity=5, few=4, repeat=2, rescan_every=5, over=3, racers=3)

    counts = result["counts"]
    assert counts["checked_in"] == counts["checkin_rows"] == counts["distinct_graduates"] == 20
    assert counts["fair_checkin_count"] == 20  # the second scans counted nothing
    assert counts["visits"] == counts["booth_visit_count"] == 20
    assert counts["signups"] == counts["session_signup_count"] == 5
    assert result["signup"] == {"attempts": 8, "taken": 5, "refused_full": 3}
    race = result["race"]
    assert race["finished"] == 3 and race["rows"] == 1 and race["counted"] == 1
    assert race["outcomes"].get("created") == 1 and set(race["outcomes"]) <= {"created", "already"}

    series = {s["label"]: s for s in result["series"]}
    assert series["check-in (QR link, 签到成功)"]["cpu"]["n"] == 19  # the first graduate warms up
    assert series["second scan (已签到过)"]["cpu"]["n"] == 3
    assert series["宣讲会 sign-up (API, seat taken)"]["cpu"]["n"] == 4
    assert series["宣讲会 sign-up refused (full)"]["cpu"]["n"] == 3
    for page in ("staff attendance", "employer visitors"):
        few, full = (series[f"{page} page, {n} check-ins"]["statements"] for n in (4, 20))
        assert few["min"] == few["max"] == full["min"] == full["max"], (page, few, full)

    lines = bench.verdicts(result)
    assert all(ok for text, ok in lines if not text.startswith("check-in CPU")), lines
    text, _ = bench.report(result)
    assert "| check-in (QR link, 签到成功) |" in text and ("PASS" in text or "MISS" in text)
