"""The staff-list benchmark (bench/staff_lists.py) at a tiny size on the test database, so it
cannot rot: every scenario answers 200 for the generator's staff accounts, the lists show what
the data holds, and the verdict logic flags a ratio over the budget and a growing query count."""

from __future__ import annotations

from bench.staff_lists import compare, measure, pick_subjects, report, scenarios


def test_every_scenario_answers_on_a_generated_data_set(tiny):
    subjects = pick_subjects()
    items = scenarios(subjects)
    results = measure(items, subjects, repeat=1)
    assert set(results) == {s.name for s in items}
    failed = {name: r["status"] for name, r in results.items() if r["status"] != 200}
    assert not failed, failed
    assert all(len(r["times"]) == 1 and r["queries"] > 0 for r in results.values())
    # the lists show the data: the school's graduates, one exact student number, the agreement
    assert results["graduates, default"]["shown"] == str(subjects.school_graduates)
    assert results["graduates, exact student number"]["shown"] == "1"
    assert results["agreements, number"]["shown"] == "1"
    assert int(results["API destinations, every status"]["shown"].rstrip("+")) > 0


def _result(ms: float, queries: int = 8, status: int = 200) -> dict:
    return {"times": [ms, ms, ms], "queries": queries, "status": status, "shown": "30"}


def test_the_verdict_flags_ratio_query_growth_and_errors():
    small = {"a": _result(10), "b": _result(10), "c": _result(10), "d": _result(10)}
    large = {"a": _result(29), "b": _result(31), "c": _result(12, queries=9), "d": _result(10, status=500)}
    verdicts = {v.name: v for v in compare(small, large, budget=3.0)}
    assert verdicts["a"].passed and round(verdicts["a"].ratio, 1) == 2.9
    assert not verdicts["b"].passed and "ratio 3.1" in verdicts["b"].why
    assert not verdicts["c"].passed and "statements 8 → 9" in verdicts["c"].why
    assert not verdicts["d"].passed and "HTTP 200/500" in verdicts["d"].why
    assert "1 PASS / 3 MISS" in report(list(verdicts.values()))
