"""Working days: weekends, public holidays and make-up working days (调休), on a fixed small
calendar, plus a check of the shipped 2026 data."""

from __future__ import annotations

from datetime import date

import pytest

from apps.core import workdays
from apps.core.workdays import add_working_days, calendar_from_rows, load_calendar, working_days_between

# A made-up week in March 2030: Wed 6 and Thu 7 are holidays, Sat 9 is worked (调休).
#   Mo 4  Tu 5  We 6(H)  Th 7(H)  Fr 8  Sa 9(W)  Su 10  Mo 11  Tu 12
SMALL = calendar_from_rows([
    {"date": "2030-03-06", "kind": "holiday", "name": "测试节"},
    {"date": "2030-03-07", "kind": "holiday", "name": "测试节"},
    {"date": "2030-03-09", "kind": "workday", "name": "测试调休上班"},
])


@pytest.fixture
def small(monkeypatch):
    """The loaded table replaced by the small calendar."""
    monkeypatch.setattr(workdays, "_table", lambda: SMALL)


@pytest.mark.parametrize("start, days, expected", [
    (date(2030, 3, 4), 0, date(2030, 3, 4)),
    (date(2030, 3, 4), 1, date(2030, 3, 5)),
    (date(2030, 3, 4), 2, date(2030, 3, 8)),   # skips the two holidays
    (date(2030, 3, 4), 3, date(2030, 3, 9)),   # the Saturday is worked
    (date(2030, 3, 4), 4, date(2030, 3, 11)),  # Sunday is not
    (date(2030, 3, 5), 3, date(2030, 3, 11)),
    (date(2030, 3, 6), 1, date(2030, 3, 8)),   # filed on a holiday
    (date(2030, 3, 10), 1, date(2030, 3, 11)),  # filed on a Sunday
    (date(2030, 3, 11), -3, date(2030, 3, 5)),  # backwards: Sat 9, Fri 8, Tue 5
])
def test_add_working_days(small, start, days, expected):
    assert add_working_days(start, days) == expected


def test_an_ordinary_week_counts_weekends_only(small):
    # 2030-04-05 is a Friday; no entry in the table
    assert add_working_days(date(2030, 4, 5), 3) == date(2030, 4, 10)
    assert add_working_days(date(2030, 4, 6), 1) == date(2030, 4, 8)


def test_working_days_between(small):
    assert working_days_between(date(2030, 3, 4), date(2030, 3, 4)) == 0
    assert working_days_between(date(2030, 3, 4), date(2030, 3, 11)) == 4  # Tu, Fr, Sa(调休), Mo
    assert working_days_between(date(2030, 3, 11), date(2030, 3, 4)) == -4
    for n in range(0, 12):
        assert working_days_between(date(2030, 3, 4), add_working_days(date(2030, 3, 4), n)) == n


def test_an_explicit_calendar_wins_over_the_loaded_one():
    empty = calendar_from_rows([])
    assert add_working_days(date(2030, 3, 5), 1, calendar=empty) == date(2030, 3, 6)
    assert add_working_days(date(2030, 3, 5), 1, calendar=SMALL) == date(2030, 3, 8)


@pytest.mark.parametrize("rows, message", [
    ([{"date": "2030-02-30", "kind": "holiday"}], "bad date"),
    ([{"date": "2030-03-06", "kind": "rest"}], "kind must be"),
    ([{"date": "2030-03-06", "kind": "holiday"}, {"date": "2030-03-06", "kind": "workday"}], "listed twice"),
])
def test_bad_rows_are_refused(rows, message):
    with pytest.raises(ValueError, match=message):
        calendar_from_rows(rows)


def test_csv_with_comments_and_a_note_column(tmp_path):
    path = tmp_path / "holidays.csv"
    path.write_text("# a comment\ndate,kind,name,note\n2030-03-06,holiday,测试节,U\n\n2030-03-09,workday,调休,\n",
                    encoding="utf-8")
    calendar = load_calendar(path)
    assert calendar.holidays == {date(2030, 3, 6)} and calendar.workdays == {date(2030, 3, 9)}
    assert calendar.names[date(2030, 3, 6)] == "测试节"


def test_shipped_2026_schedule():
    """The State Council's 2026 arrangement (国务院办公厅, 2025-11-04)."""
    cal = load_calendar(workdays.default_path())
    # 春节 2026-02-15 … 02-23 off, Saturdays 02-14 and 02-28 worked
    assert all(not cal.is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert cal.is_working_day(date(2026, 2, 14)) and cal.is_working_day(date(2026, 2, 28))
    # 国庆节 10-01 … 10-07 off, 09-20 (Sunday) and 10-10 (Saturday) worked
    assert all(not cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(date(2026, 9, 20)) and cal.is_working_day(date(2026, 10, 10))
    assert cal.is_working_day(date(2026, 1, 4)) and cal.is_working_day(date(2026, 5, 9))
    # every make-up working day falls on a weekend
    assert all(d.weekday() >= 5 for d in cal.workdays)
    # filed on Wednesday 2026-09-30: Thursday 8th, Friday 9th and the worked Saturday 10th
    assert add_working_days(date(2026, 9, 30), 3, calendar=cal) == date(2026, 10, 10)
    # filed on Friday 2026-02-13: Saturday 14th is worked, then the Spring Festival
    assert add_working_days(date(2026, 2, 13), 3, calendar=cal) == date(2026, 2, 25)
