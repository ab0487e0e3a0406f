"""CI-size run of bench/signing_confirm.py (issue 9: a signing confirmation under 50 ms of
server CPU). Timing is not asserted here; the script's figures must come out, and the race
must leave exactly one agreement with the losers refused on the invitation's state."""

from __future__ import annotations

import pytest

from bench import signing_confirm


@pytest.mark.django_db(transaction=True)  # the race uses one database connection per thread
def test_signing_confirm_benchmark_produces_figures(reference, settings):
    settings.TASKS_BACKEND = "database"
    result = signing_confirm.measure(graduates=5, racers=4)

    assert result["cpu"]["n"] == 5 and result["cpu"]["median"] > 0
    assert result["wall"]["max"] >= result["wall"]["median"] > 0
    assert result["statements"]["min"] > 10  # a whole confirmation: locks, agreement, destination, audit
    race = result["race"]
    assert race["finished"] == 4 and race["winners"] == 1 and race["agreements"] == 1
    # a loser that looks after the winner's commit may be told the graduate is already signed
    # (the precondition) rather than that the invitation is no longer open: both are refusals
    assert set(race["outcomes"]) <= {"signed", "not_open", "throttled", "agreement_in_force"}, race["outcomes"]
    assert race["late_cpu"]["n"] == 4
    text, _ = signing_confirm.report(result)
    assert "server CPU per confirmation" in text and ("PASS" in text or "MISS" in text)
