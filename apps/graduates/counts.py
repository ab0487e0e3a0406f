"""Maintained graduate counts per college (各院系毕业生人数): see CollegeGraduateCount.

Every way a Graduate row appears, disappears or changes college keeps the count in the same
transaction:

* one row saved or deleted through the ORM (admin, shell, tests, the demo's named people):
  the post_save / post_delete receivers below;
* bulk inserts (roster commit ``apps/roster/services.py::_write``, the demo): the writer calls
  ``graduate_counts_add`` with the rows it inserted;
* a college move (roster upsert, ``graduate_update`` via 纠错): ``graduate_counts_add`` with
  −1 / +1;
* COPY and raw SQL (the benchmark generator): ``recount_graduates`` afterwards.

``recount_graduates`` (``manage.py recount_graduates``, nightly in apps/core/schedule.py)
rebuilds the rows from the graduates themselves: the repair for anything that slipped past.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Count, F

from apps.graduates.models import CollegeGraduateCount, Graduate


def graduate_counts_add(deltas: Mapping[tuple[int, int], int]) -> None:
    """Add ``delta`` to the count of each ``(school_id, college_id)``; call it inside the
    transaction that wrote the graduates. Rows are touched in college order, so two writers
    never wait for each other's rows in opposite orders (no deadlock)."""
    deltas = {key: d for key, d in deltas.items() if d}
    if not deltas:
        return
    with transaction.atomic():
        CollegeGraduateCount.objects.bulk_create(
            [CollegeGraduateCount(school_id=s, college_id=c, graduates=0) for s, c in deltas],
            ignore_conflicts=True,
        )
        for (_school_id, college_id), delta in sorted(deltas.items(), key=lambda kv: kv[0][1]):
            CollegeGraduateCount.objects.filter(college_id=college_id).update(graduates=F("graduates") + delta)


def graduate_counts_for(graduates: Iterable[Graduate], sign: int = 1) -> Counter:
    """The deltas of inserting (sign 1) or deleting (sign −1) these graduates."""
    return Counter({key: n * sign for key, n in Counter((g.school_id, g.college_id) for g in graduates).items()})


def recount_graduates(*, school_ids: Iterable[int] | None = None) -> int:
    """Rebuild the counts of these schools (all when None) from the graduates; returns the
    number of college rows whose count was wrong. Each school in its own transaction under
    the school's row lock — the lock a roster commit holds — so a commit running meanwhile
    is counted either wholly or not at all and its own increments stay right."""
    from apps.organisations.models import College, School

    ids = list(School.objects.order_by("pk").values_list("pk", flat=True)) if school_ids is None else list(school_ids)
    repaired = 0
    for school_id in ids:
        with transaction.atomic():
            if not list(School.objects.select_for_update().filter(pk=school_id).values_list("pk", flat=True)):
                continue
            colleges = list(College.objects.filter(school_id=school_id).values_list("pk", flat=True))
            actual = dict(
                Graduate.objects.filter(college_id__in=colleges).order_by().values("college_id")
                .annotate(n=Count("pk")).values_list("college_id", "n")
            )
            stored = dict(CollegeGraduateCount.objects.filter(college_id__in=colleges)
                          .values_list("college_id", "graduates"))
            rows = [CollegeGraduateCount(college_id=c, school_id=school_id, graduates=actual.get(c, 0))
                    for c in sorted(colleges)]
            repaired += sum(1 for r in rows if stored.get(r.college_id, 0) != r.graduates)
            CollegeGraduateCount.objects.bulk_create(rows, update_conflicts=True, unique_fields=["college"],
                                                     update_fields=["school", "graduates"])
    return repaired


# --- single rows through the ORM ----------------------------------------------------------

def _graduate_saved(sender, instance: Graduate, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:  # fixtures (raw) are counted by recount_graduates
        graduate_counts_add({(instance.school_id, instance.college_id): 1})


def _graduate_deleted(sender, instance: Graduate, **kwargs) -> None:
    graduate_counts_add({(instance.school_id, instance.college_id): -1})
