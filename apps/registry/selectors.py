"""Reads of the national registry sync (全国毕业去向登记系统): the graduate's platform record and
sync state for the comparison view, and the staff sync monitor's list and summary. Every read
starts from ``visible_to``; counts are bounded (``apps.core.listing.bounded_count``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from apps.accounts.scoping import get_visible, visible_to
from apps.core.listing import bounded_count
from apps.graduates.models import Graduate
from apps.registry.models import GraduateSync, OutboxEntry, OutboxState
from apps.registry.national import registry_record

# the outbox list never reads the encrypted payload (wide, and personal)
LIST_COLUMNS = ("id", "graduate", "school", "college", "sequence", "reason", "state", "attempts",
                "next_attempt_at", "last_error", "created_at", "delivered_at", "rejected",
                "graduate__name", "graduate__student_number", "school__name", "college__name")


def own_graduate(*, actor) -> Graduate:
    """The signed-in graduate with what ``registry_record`` reads (school, major) in one query."""
    return get_visible(Graduate.objects.select_related("school", "college", "major"), actor,
                       pk=getattr(actor, "graduate_id", None) or 0)


def platform_record(*, graduate: Graduate) -> dict[str, str]:
    """The platform's record now, built exactly as the outbox builds a payload (the same rows
    through ``registry_record``), so a delivered record compares equal."""
    from apps.archives.models import ArchiveTransfer
    from apps.destinations.models import Destination

    destination = Destination.objects.filter(graduate_id=graduate.pk).select_related("unit_division").first()
    archive = ArchiveTransfer.objects.filter(graduate_id=graduate.pk).first()
    return registry_record(graduate, destination, archive)


@dataclass(frozen=True)
class GraduateSyncView:
    """A graduate's sync row (None before the first change was queued) and their waiting/dead
    entry counts: what ``presenters.sync_state`` reads."""

    sync: GraduateSync | None
    pending: int
    dead: int


def graduate_sync_view(*, actor, graduate_id: int) -> GraduateSyncView:
    sync = visible_to(GraduateSync, actor).filter(graduate_id=graduate_id).first()
    counts = dict.fromkeys(OutboxState.values, 0)
    if sync is not None and sync.delivered_sequence < sync.last_sequence:
        # undelivered entries exist only then: skip the count query for a settled graduate
        for state, n in _state_counts(visible_to(OutboxEntry, actor).filter(graduate_id=graduate_id)):
            counts[state] = n
    return GraduateSyncView(sync=sync, pending=counts[OutboxState.PENDING], dead=counts[OutboxState.DEAD])


def _state_counts(qs: QuerySet):
    from django.db.models import Count

    return qs.exclude(state=OutboxState.DELIVERED).order_by().values_list("state").annotate(n=Count("id"))


def graduate_entries(*, actor, graduate_id: int, limit: int = 20) -> list[OutboxEntry]:
    """A graduate's latest outbox entries (newest first), for the staff detail page."""
    return list(visible_to(OutboxEntry, actor).filter(graduate_id=graduate_id).only(*LIST_COLUMNS[:13])
                .order_by("-sequence")[:limit])


# --- staff sync monitor ---------------------------------------------------------------------

@dataclass(frozen=True)
class OutboxFilters:
    state: str = OutboxState.DEAD
    school_id: int | None = None
    college_id: int | None = None

    @classmethod
    def parse(cls, *, state: str | None, school_id: int | None, college_id: int | None) -> OutboxFilters:
        state = state if state in OutboxState.values or state == "all" else OutboxState.DEAD
        return cls(state=state, school_id=school_id, college_id=college_id)


def outbox_scope(*, actor, filters: OutboxFilters) -> QuerySet:
    qs = visible_to(OutboxEntry, actor)
    if filters.school_id:
        qs = qs.filter(school_id=filters.school_id)
    if filters.college_id:
        qs = qs.filter(college_id=filters.college_id)
    return qs


def outbox_list(*, actor, filters: OutboxFilters) -> QuerySet:
    """The monitor's list: oldest first (the (school|college, state, created_at) indexes serve
    it after the scope filter), without the encrypted payload."""
    qs = outbox_scope(actor=actor, filters=filters)
    if filters.state != "all":
        qs = qs.filter(state=filters.state)
    return qs.select_related("graduate", "school", "college").only(*LIST_COLUMNS).order_by("created_at", "id")


@dataclass(frozen=True)
class OutboxSummary:
    counts: dict[str, tuple[int, bool]]  # state -> (count, capped)
    oldest_waiting: OutboxEntry | None  # the oldest entry not yet delivered (waiting or dead)
    now: datetime

    @property
    def oldest_age_seconds(self) -> int | None:
        if self.oldest_waiting is None:
            return None
        return max(0, int((self.now - self.oldest_waiting.created_at).total_seconds()))


def outbox_summary(*, actor, filters: OutboxFilters, now: datetime) -> OutboxSummary:
    """Counts by state (each bounded: a province's delivered entries run to millions) and the
    oldest undelivered entry."""
    scope = outbox_scope(actor=actor, filters=filters)
    counts = {state: bounded_count(scope.filter(state=state)) for state in OutboxState.values}
    oldest = (scope.filter(state__in=(OutboxState.PENDING, OutboxState.DEAD)).select_related("graduate")
              .only(*LIST_COLUMNS[:13], "graduate__name").order_by("created_at", "id").first())
    return OutboxSummary(counts=counts, oldest_waiting=oldest, now=now)
