"""The back-office benchmark (bench/backoffice.py) at a tiny size on the test database, so it
cannot rot: every scenario whose page exists answers 200 for the generator's staff accounts
with statements counted, the directory shows the school's graduates, and a page that raises is
reported as a MISS instead of stopping the run."""

from __future__ import annotations

from bench.backoffice import more_users, pick_extra, present, scenarios
from bench.staff_lists import Scenario, compare, measure, pick_subjects, report


def test_every_back_office_scenario_answers_on_a_generated_data_set(tiny):
    subjects = pick_subjects()
    extra = pick_extra(subjects)
    assert len(extra["id_last4"]) == 4  # the generator writes 身份证号后四位
    items, absent = present(scenarios(subjects, extra))
    assert items, "no back-office page resolves"
    assert not {s.name for s in items} & set(absent)
    results = measure(items, subjects, repeat=1, more_users=more_users(extra))
    failed = {name: r.get("error") or r["status"] for name, r in results.items() if r["status"] != 200}
    assert not failed, failed
    assert all(len(r["times"]) == 1 and r["queries"] > 0 for r in results.values())
    if "directory, first page" in results:
        assert results["directory, first page"]["shown"] == str(subjects.school_graduates)


def test_a_page_that_raises_is_a_miss_and_the_others_are_still_timed(tiny):
    subjects = pick_subjects()
    items = [Scenario("school home", "school", "/staff/"),
             Scenario("raises", "school", "/staff/graduates/", {"page": "x" * 10})]
    results = measure(items, subjects, repeat=2)
    assert len(results["school home"]["times"]) == 2
    broken = {"times": [], "queries": 0, "status": 500, "shown": "", "error": "ValueError: boom"}
    verdicts = {v.name: v for v in compare({**results, "broken": broken}, {**results, "broken": broken})}
    assert verdicts["school home"].passed
    assert not verdicts["broken"].passed and "ValueError: boom" in verdicts["broken"].why
    assert "| broken | – |" in report(list(verdicts.values()))
