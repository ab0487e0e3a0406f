"""Postings that match a graduate's 求职意向职位, best first, with the reasons they match.

Everything is decided in ONE query: the published postings open to the graduate
(`postings_open_to`: their school's and province's channels, before the deadline, employer
verified) get a score summed from Case/When terms, one per criterion the graduate filled in
(weights in apps/jobs/intentions.WEIGHTS); the place term reads PostingPlace's indexed
province_code / city_code (see matching_queryset). Postings matching nothing are
left out, the rest ordered by score, then newest (published_at, id), LIMIT `limit`.

The reasons (「职位类别：软件开发」「地点：合肥市」「薪资符合期望」) are read off the row in hand:
its codes, the matched place the query returns, a salary flag; names come from the reference
snapshot. No query per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from apps.jobs.intentions import (
    CODE_CRITERIA,
    SALARY_REASON,
    SPECIAL_PLACES,
    WEIGHTS,
    intention_is_empty,
    place_split,
)
from apps.jobs.models import JobIntention, Posting, PostingPlace
from apps.jobs.salary import band_overlap_q, salary_text
from apps.jobs.selectors import postings_open_to

MAX_LIMIT = 50
_COLUMNS = ("id", "title", "category_code", "industry_code", "nature_code", "salary_min", "salary_max", "openings",
            "published_at", "deadline", "employer__name")


@dataclass
class PostingMatch:
    posting: Posting
    score: int
    reasons: list[str] = field(default_factory=list)
    place: str = ""  # the posting's first place (区县 full name), for the list line

    @property
    def salary(self) -> str:
        return salary_text(self.posting.salary_min, self.posting.salary_max)


def _weighted(condition: Q, weight: int) -> Case:
    return Case(When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField())


def matching_queryset(*, graduate, intention, since: datetime | None = None,
                      until: datetime | None = None) -> QuerySet[Posting]:
    """The scored postings (annotation `match_score` > 0), best first; unsliced. `since` /
    `until` bound published_at (the digest's window).

    Cheap per row, as the whole open set of a province is scored: the WHERE is an OR of plain
    column tests and of `id IN (postings at the chosen places)` (one uncorrelated subquery on
    PostingPlace's province/city indexes, hashed once; inside a digest's one-day window a
    correlated EXISTS instead), the score sums the same conditions.
    The matched place shown as a reason is a correlated subquery in the SELECT list only, so
    PostgreSQL evaluates it for the LIMITed rows alone."""
    if intention_is_empty(intention):
        return Posting.objects.none()
    # every posting of the graduate's channels is in their school's province (the posting
    # service sets channel_province so): said explicitly, both branches of the channel OR
    # lead into the (status, channel_province, channel_school, published_at, id) index
    qs = postings_open_to(graduate).filter(channel_province_id=graduate.school.province_id)
    if since is not None:
        qs = qs.filter(published_at__gte=since)
    if until is not None:
        qs = qs.filter(published_at__lt=until)

    conditions: list[tuple[Q, int]] = []
    for criterion in CODE_CRITERIA:
        codes = getattr(intention, criterion.field)
        if codes:
            conditions.append((Q(**{f"{criterion.posting_column}__in": codes}), WEIGHTS[criterion.field]))

    annotations: dict = {}
    provinces, cities, overseas = place_split(intention.place_codes)
    places = PostingPlace.objects.filter(posting_id=OuterRef("pk"))
    place_q = Q()
    if cities or provinces:
        at_places = Q(city_code__in=sorted(cities)) if cities else Q(pk__in=[])
        if provinces:
            at_places |= Q(province_code__in=sorted(provinces))
        if since is None:
            place_q |= Q(pk__in=PostingPlace.objects.filter(at_places).values("posting_id"))
        else:  # a day's window holds few postings: one index probe each beats hashing a province
            place_q |= Exists(places.filter(at_places))
    if cities:
        annotations["match_city"] = Subquery(places.filter(city_code__in=sorted(cities)).order_by("id")
                                             .values("city_code")[:1])
    if provinces:
        annotations["match_province"] = Subquery(places.filter(province_code__in=sorted(provinces)).order_by("id")
                                                 .values("province_code")[:1])
    if overseas:
        place_q |= ~Exists(places)
        annotations["match_abroad"] = ~Exists(places)
    if place_q:
        conditions.append((place_q, WEIGHTS["place_codes"]))

    salary_q = band_overlap_q(intention.salary_band) if intention.salary_band else None
    if salary_q is not None:
        conditions.append((salary_q, WEIGHTS["salary_band"]))
        annotations["match_salary"] = Case(When(salary_q, then=Value(True)), default=Value(False),
                                           output_field=BooleanField())
    if not conditions:
        return Posting.objects.none()

    any_q = Q()
    score = None
    for condition, weight in conditions:
        any_q |= condition
        term = _weighted(condition, weight)
        score = term if score is None else score + term
    annotations["first_county"] = Subquery(places.order_by("id").values("county_code")[:1])
    return (qs.filter(any_q).annotate(match_score=score, **annotations)
            .select_related("employer").only(*_COLUMNS)
            .order_by("-match_score", "-published_at", "-id"))


def match_reasons(posting: Posting, intention) -> list[str]:
    """Why this row matches, in the order of the weights, from the row's own columns and the
    annotations of `matching_queryset`."""
    from apps.reference.selectors import code_label, division_ref

    reasons: list[str] = []
    by_field = {criterion.field: criterion for criterion in CODE_CRITERIA}

    def code_reason(field_name: str) -> None:
        criterion = by_field[field_name]
        code = getattr(posting, criterion.posting_column)
        if code and code in getattr(intention, field_name):
            reasons.append(f"{criterion.label}：{code_label(criterion.table, code)}")

    code_reason("category_codes")
    city = getattr(posting, "match_city", None)
    province = getattr(posting, "match_province", None)
    if city:
        ref = division_ref(city)
        reasons.append(f"地点：{ref.name if ref else city}")
    elif province:
        ref = division_ref(province)
        reasons.append(f"地点：{ref.name if ref else province}")
    elif getattr(posting, "match_abroad", False):
        reasons.append(f"地点：{SPECIAL_PLACES['overseas'].label}")
    code_reason("industry_codes")
    code_reason("nature_codes")
    if getattr(posting, "match_salary", False):
        reasons.append(SALARY_REASON)
    return reasons


def matching_postings(*, graduate, intention, limit: int = 20, since: datetime | None = None,
                      until: datetime | None = None) -> list[PostingMatch]:
    """The best `limit` matches (at most MAX_LIMIT), each with its reasons: one query."""
    from apps.reference.selectors import division_ref

    limit = max(1, min(int(limit), MAX_LIMIT))
    rows = list(matching_queryset(graduate=graduate, intention=intention, since=since, until=until)[:limit])
    out = []
    for posting in rows:
        county = division_ref(posting.first_county) if posting.first_county else None
        out.append(PostingMatch(posting=posting, score=posting.match_score, reasons=match_reasons(posting, intention),
                                place=county.full_name if county else ""))
    return out


def intention_of(*, actor) -> JobIntention | None:
    """The signed-in graduate's own intention (None before the first save)."""
    from apps.accounts.scoping import visible_to

    return visible_to(JobIntention, actor).first()
