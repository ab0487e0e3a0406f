"""宣讲会 time slots, declared once: the request form, the allocation, the double-booking
constraint (room, date, slot) and every page read them from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone


@dataclass(frozen=True)
class Slot:
    code: str
    starts: time
    ends: time

    @property
    def label(self) -> str:
        return f"{self.starts:%H:%M}–{self.ends:%H:%M}"


SLOTS: tuple[Slot, ...] = (
    Slot("am1", time(8, 30), time(10, 0)),
    Slot("am2", time(10, 15), time(11, 45)),
    Slot("pm1", time(14, 0), time(15, 30)),
    Slot("pm2", time(15, 45), time(17, 15)),
    Slot("ev", time(19, 0), time(20, 30)),
)
BY_CODE = {s.code: s for s in SLOTS}
SLOT_CHOICES = [(s.code, s.label) for s in SLOTS]


def slot_label(code: str) -> str:
    slot = BY_CODE.get(code)
    return slot.label if slot else ""


def slot_starts_at(day: date | None, code: str) -> datetime | None:
    """The aware start of `code` on `day` (None for an unknown slot)."""
    slot = BY_CODE.get(code)
    if day is None or slot is None:
        return None
    return timezone.make_aware(datetime.combine(day, slot.starts))


def slot_ends_at(day: date | None, code: str) -> datetime | None:
    slot = BY_CODE.get(code)
    if day is None or slot is None:
        return None
    return timezone.make_aware(datetime.combine(day, slot.ends))
