"""Working days of mainland China: Monday to Friday, minus public holidays, plus the make-up
working days (调休上班) that fall on a weekend. The calendar is data
(reference_data/holidays.csv, columns date, kind = holiday | workday, name[, note]); a year
that is not in the file counts weekends only.

Used for promised dates such as 信息反馈 "2-3个工作日内处理" (C3)."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings

HOLIDAY = "holiday"
WORKDAY = "workday"
_MAX_STEPS = 3660  # ten years of days: a calendar that never yields a working day is an error


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # weekend days worked (调休)
    names: dict[date, str] = field(default_factory=dict, compare=False, hash=False)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def calendar_from_rows(rows: Iterable[dict]) -> Calendar:
    """Build a calendar from dict rows with `date`, `kind` and optional `name`."""
    holidays, workdays, names = set(), set(), {}
    for number, row in enumerate(rows, start=1):
        try:
            day = date.fromisoformat(str(row["date"]).strip())
        except (KeyError, ValueError):
            raise ValueError(f"holidays row {number}: bad date {row.get('date')!r}") from None
        kind = str(row.get("kind", "")).strip()
        if kind not in (HOLIDAY, WORKDAY):
            raise ValueError(f"holidays row {number}: kind must be holiday or workday, not {kind!r}")
        if day in holidays or day in workdays:
            raise ValueError(f"holidays row {number}: {day} is listed twice")
        (holidays if kind == HOLIDAY else workdays).add(day)
        names[day] = str(row.get("name") or "").strip()
    return Calendar(frozenset(holidays), frozenset(workdays), names)


def load_calendar(path: Path | str) -> Calendar:
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    return calendar_from_rows(csv.DictReader(lines))


def default_path() -> Path:
    return Path(settings.BASE_DIR) / "reference_data" / "holidays.csv"


@functools.cache
def _table() -> Calendar:
    """The calendar of reference_data/holidays.csv, read once per process (tests monkeypatch
    this function to run on a small fixed calendar)."""
    return load_calendar(default_path())


def current_calendar() -> Calendar:
    return _table()


def is_working_day(day: date, *, calendar: Calendar | None = None) -> bool:
    return (calendar or _table()).is_working_day(day)


def add_working_days(start: date, days: int, *, calendar: Calendar | None = None) -> date:
    """The day on which the `days`-th working day after `start` falls (start itself is not
    counted, so a request filed on Friday with 3 days is due on Wednesday). `days` = 0 gives
    `start`; a negative count goes back."""
    cal = calendar or _table()
    step = 1 if days >= 0 else -1
    remaining, day, steps = abs(days), start, 0
    while remaining:
        day += timedelta(days=step)
        steps += 1
        if steps > _MAX_STEPS:
            raise ValueError("holiday calendar has no working days in range")
        if cal.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: date, b: date, *, calendar: Calendar | None = None) -> int:
    """Working days d with a < d ≤ b (negative when b is before a), so that
    working_days_between(a, add_working_days(a, n)) == n."""
    cal = calendar or _table()
    if b < a:
        return -working_days_between(b, a, calendar=cal)
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return count
