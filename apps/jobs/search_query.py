"""职位搜索: the query side of the keyword index (docs/decisions/job-search.md).

`search_postings(graduate=…, keyword=…, filters=…, sort=…, page=…)` is the one read behind the
search page and its API. It starts from `postings_open_to(graduate)` (published, before the
deadline, employer verified, a channel the graduate may see), so a suspended employer's
postings, another school's channel and expired postings never appear.

The keyword is cut into the same tokens the index holds (`apps.jobs.search.query_tokens`) and
every token must match:

* PostgreSQL: `<weighted tsvector> @@ to_tsquery('simple', '''t1'' & ''t2''')` — the vector
  expression is the GIN index's own (migration jobs/0002), ranked by `ts_rank` (title tokens
  weigh A = 1.0, body tokens B = 0.4);
* SQLite: `id IN (SELECT rowid FROM jobs_posting_fts WHERE jobs_posting_fts MATCH '"t1" "t2"')`,
  ranked by FTS5's bm25 with the title column weighted 10 to the body's 1.

Tokens hold only CJK characters or `[a-z0-9]` (the tokenizer's own pattern), so quoting them is
all the escaping either query language needs; they are passed as parameters anyway.

A page is read with `LIMIT 21` (no count), the page number is capped at SEARCH_MAX_PAGE, the
description and search columns are never read for a list, places come in one prefetch and
labels from the reference snapshot: two statements per page whatever the data size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Exists, F, FloatField, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import GreaterThan

from apps.core.listing import ListPage, clamp_page_number, read_page
from apps.jobs.education import SCHEME as EDUCATION_SCHEME
from apps.jobs.education import education_bit, education_choices, education_text
from apps.jobs.models import Posting, PostingPlace
from apps.jobs.salary import BAND_BY_KEY, BANDS, band_overlap_q, salary_text
from apps.jobs.search import query_tokens
from apps.jobs.selectors import postings_open_to
from apps.reference.selectors import code_label, code_labels, division_ref

PER_PAGE = 20
SEARCH_MAX_PAGE = 50  # 1,000 results: past that a keyword or a filter narrows better than paging
KEYWORD_MAX_LENGTH = 50

SORT_MATCH, SORT_NEW, SORT_SALARY = "match", "new", "salary"
SORTS = {SORT_MATCH: "匹配度", SORT_NEW: "最新", SORT_SALARY: "薪资"}
CHANNEL_SCHOOL, CHANNEL_PROVINCE = "school", "province"
CHANNELS = {CHANNEL_SCHOOL: "本校", CHANNEL_PROVINCE: "全省"}

# the GIN index's expression (migration jobs/0002), column names qualified for joined queries
SEARCH_VECTOR_SQL = ("(setweight(to_tsvector('simple'::regconfig, \"jobs_posting\".\"search_title\"), 'A') || "
                     "setweight(to_tsvector('simple'::regconfig, \"jobs_posting\".\"search_body\"), 'B'))")
PG_TITLE_HAS_SQL = "(' ' || \"jobs_posting\".\"search_title\" || ' ') LIKE %s"
FTS_TABLE = "jobs_posting_fts"
# FTS5's bm25 (lower = better, hence negated): a title hit weighs 10 body hits
FTS_MATCH_SQL = "SELECT rowid FROM jobs_posting_fts WHERE jobs_posting_fts MATCH %s"
FTS_JOIN_SQL = "jobs_posting_fts.rowid = \"jobs_posting\".\"id\""
FTS_WHERE_SQL = "jobs_posting_fts MATCH %s"
FTS_RANK_SQL = "-bm25(jobs_posting_fts, 10.0, 1.0)"

# the columns a result row shows (the description, contact and search columns stay in the table)
LIST_FIELDS = (
    "id", "title", "category_code", "openings", "education_codes", "salary_min", "salary_max", "deadline",
    "industry_code", "channel_school_id", "channel_province_id", "published_at",
    "employer__id", "employer__name",
)


@dataclass(frozen=True)
class SearchFilters:
    """Parsed, valid filter values (empty = not filtered)."""

    place: str = ""  # the division code as chosen (6 digits)
    place_level: str = ""  # province | city | county
    place_name: str = ""
    industry: str = ""
    category: str = ""
    education: str = ""
    salary: str = ""
    channel: str = ""

    def as_query(self) -> dict[str, str]:
        return {key: value for key, value in (
            ("place", self.place), ("industry", self.industry), ("category", self.category),
            ("education", self.education), ("salary", self.salary), ("channel", self.channel)) if value}


FILTER_LABELS = {"place": "工作地点", "industry": "行业", "category": "职位类别", "education": "学历",
                 "salary": "月薪", "channel": "渠道", "sort": "排序", "keyword": "关键词"}


def parse_filters(raw: Mapping) -> tuple[SearchFilters, dict[str, str]]:
    """Filters from a query string (page or API). Unknown values are left out and named in the
    second result ({parameter: Chinese message}); nothing raises."""
    errors: dict[str, str] = {}

    def text(name: str, limit: int = 12) -> str:
        value = raw.get(name, "")
        return str(value if value is not None else "").strip()[:limit]

    found: dict[str, str] = {}
    place = text("place")
    if place:
        division = division_ref(place) if place.isdigit() else None
        if division is None:
            errors["place"] = "工作地点不正确，已忽略该条件"
        else:
            if division.is_county_level:
                level = "county"
            elif division.level == 1:
                level = "province"
            else:
                level = "city"
            found.update(place=division.code, place_level=level, place_name=division.full_name)
    for name, table, scheme in (("industry", "industry", ""), ("category", "position_category", ""),
                                ("education", "education_level", EDUCATION_SCHEME)):
        value = text(name)
        if value:
            if value in code_labels(table, scheme):
                found[name] = value
            else:
                errors[name] = f"{FILTER_LABELS[name]}不正确，已忽略该条件"
    salary = text("salary")
    if salary:
        if salary in BAND_BY_KEY:
            found["salary"] = salary
        else:
            errors["salary"] = "月薪区间不正确，已忽略该条件"
    channel = text("channel")
    if channel:
        if channel in CHANNELS:
            found["channel"] = channel
        else:
            errors["channel"] = "渠道只能是本校或全省，已忽略该条件"
    return SearchFilters(**found), errors


def parse_sort(value, *, keyword_given: bool) -> tuple[str, str | None]:
    """(the sort in effect, a Chinese note when the asked one was refused). 匹配度 is the default
    with a keyword, 最新 without one (匹配度 without a keyword means nothing: 最新)."""
    value = str(value or "").strip()
    if value and value not in SORTS:
        return (SORT_MATCH if keyword_given else SORT_NEW), "排序方式不正确，已按默认排序"
    if not value:
        return (SORT_MATCH if keyword_given else SORT_NEW), None
    if value == SORT_MATCH and not keyword_given:
        return SORT_NEW, None
    return value, None


@dataclass
class SearchResult:
    page: ListPage
    keyword: str
    tokens: list[str]
    filters: SearchFilters
    sort: str
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[dict]:
        return [posting_summary(p) for p in self.page.object_list]


def _is_postgres(qs: QuerySet) -> bool:
    from django.db import connections

    return connections[qs.db].vendor == "postgresql"


def keyword_filter(qs: QuerySet, tokens: list[str], *, rank: bool) -> QuerySet:
    """Every token required; with `rank`, a `search_rank` annotation (higher = better)."""
    if not tokens:
        return qs
    if _is_postgres(qs):
        tsquery = " & ".join(f"'{t}'" for t in tokens)
        qs = qs.filter(RawSQL(f"{SEARCH_VECTOR_SQL} @@ to_tsquery('simple'::regconfig, %s)", [tsquery],  # noqa: S611
                              output_field=BooleanField()))
        if rank:
            # 1 when every token is in the title, else 0 (then newest first): a string test on the
            # short title column per hit. ts_rank over the weighted vector recomputed the whole
            # vector (body included) for every hit: 7 s over 50,000 hits at 200,000 postings
            # (bench/README.md "Job search"). Tokens hold no LIKE wildcard (CJK or [a-z0-9] only).
            title_sql = " AND ".join([PG_TITLE_HAS_SQL] * len(tokens))
            qs = qs.annotate(search_rank=RawSQL(  # noqa: S611
                f"CASE WHEN {title_sql} THEN 1.0 ELSE 0.0 END", [f"% {t} %" for t in tokens],
                output_field=FloatField()))
        return qs
    match = " ".join(f'"{t}"' for t in tokens)
    if rank:
        # joined, not a correlated subquery: SQLite walks the MATCH once, reading each hit's
        # bm25 from the same cursor, and looks the posting up by rowid
        return qs.extra(  # noqa: S610
            tables=[FTS_TABLE], where=[FTS_JOIN_SQL, FTS_WHERE_SQL], params=[match],
            select={"search_rank": FTS_RANK_SQL})
    return qs.filter(id__in=RawSQL(FTS_MATCH_SQL, [match]))  # noqa: S611


def apply_filters(qs: QuerySet, filters: SearchFilters, *, graduate) -> QuerySet:
    if filters.place:
        column = {"province": "province_code", "city": "city_code", "county": "county_code"}[filters.place_level]
        prefix = {"province": 2, "city": 4, "county": 6}[filters.place_level]
        qs = qs.filter(Exists(PostingPlace.objects.filter(posting=OuterRef("pk"),
                                                          **{column: filters.place[:prefix]})))
    if filters.industry:
        qs = qs.filter(industry_code=filters.industry)
    if filters.category:
        qs = qs.filter(category_code=filters.category)
    if filters.education:
        bit = education_bit(filters.education)
        qs = qs.filter(Q(education_mask=0) | Q(GreaterThan(F("education_mask").bitand(bit), 0)))
    if filters.salary:
        qs = qs.filter(band_overlap_q(filters.salary))
    if filters.channel == CHANNEL_SCHOOL:
        qs = qs.filter(channel_school_id=graduate.school_id)
    elif filters.channel == CHANNEL_PROVINCE:
        qs = qs.filter(channel_school__isnull=True)
    return qs


def with_list_columns(qs: QuerySet) -> QuerySet:
    """What a result row shows: the employer's name, the places; no description."""
    places = PostingPlace.objects.only("id", "posting_id", "county_code").order_by("county_code", "id")
    return qs.select_related("employer").only(*LIST_FIELDS).prefetch_related(Prefetch("places", queryset=places))


ORDERS = {
    SORT_MATCH: ("-search_rank", "-published_at", "-id"),
    SORT_NEW: ("-published_at", "-id"),
    SORT_SALARY: ("-salary_max", "-id"),
}


def search_postings(*, graduate, keyword: str = "", filters: SearchFilters | None = None, sort: str = "",
                    page=1, per_page: int = PER_PAGE) -> SearchResult:
    filters = filters or SearchFilters()
    notes: list[str] = []
    keyword = " ".join(str(keyword or "").split())[:KEYWORD_MAX_LENGTH]
    tokens = query_tokens(keyword)
    if keyword and not tokens:
        notes.append("关键词中没有可搜索的文字或数字，已显示全部职位")
    sort, sort_note = parse_sort(sort, keyword_given=bool(tokens))
    if sort_note:
        notes.append(sort_note)
    qs = postings_open_to(graduate)
    qs = keyword_filter(qs, tokens, rank=sort == SORT_MATCH)
    qs = apply_filters(qs, filters, graduate=graduate)
    qs = with_list_columns(qs).order_by(*ORDERS[sort])
    number, clamped = page_number(page)
    result_page = read_page(qs, number=number, per_page=per_page, max_page=SEARCH_MAX_PAGE, clamped=clamped,
                            count=False)
    if clamped:
        notes.append(f"搜索结果最多显示前{SEARCH_MAX_PAGE}页，请增加关键词或筛选条件")
    return SearchResult(page=result_page, keyword=keyword, tokens=tokens, filters=filters, sort=sort, notes=notes)


def page_number(raw) -> tuple[int, bool]:
    """The page asked for, clamped to SEARCH_MAX_PAGE (True when it was clamped)."""
    return clamp_page_number(raw, SEARCH_MAX_PAGE)


# --- what a person reads about a posting --------------------------------------------------------

def place_names(posting: Posting) -> list[str]:
    """「合肥市蜀山区」 per place, from the reference snapshot (the places are prefetched)."""
    names = []
    for place in posting.places.all():
        ref = division_ref(place.county_code)
        if ref is None:
            names.append(place.county_code)
        elif ref.parent is not None and ref.parent.level >= 2:
            names.append(f"{ref.parent.name}{ref.name}")
        else:
            names.append(ref.full_name)
    return names


def channel_label(posting: Posting) -> str:
    return CHANNELS[CHANNEL_PROVINCE] if posting.channel_school_id is None else CHANNELS[CHANNEL_SCHOOL]


def posting_summary(posting: Posting) -> dict:
    """One result row: the same fields on the page and in the API."""
    return {
        "id": posting.pk,
        "title": posting.title,
        "employer_id": posting.employer_id,
        "employer_name": posting.employer.name,
        "places": place_names(posting),
        "salary": salary_text(posting.salary_min, posting.salary_max),
        "salary_min": posting.salary_min,
        "salary_max": posting.salary_max,
        "education": education_text(posting.education_codes),
        "category": code_label("position_category", posting.category_code),
        "industry": code_label("industry", posting.industry_code),
        "openings": posting.openings,
        "deadline": posting.deadline,
        "published_at": posting.published_at,
        "channel": channel_label(posting),
    }


def filter_choices() -> dict:
    """The options of the search form's selects (snapshot labels, the salary bands)."""
    return {
        "industries": list(code_labels("industry").items()),
        "categories": list(code_labels("position_category").items()),
        "educations": education_choices(),
        "salaries": [(band.key, band.label) for band in BANDS],
        "channels": list(CHANNELS.items()),
        "sorts": list(SORTS.items()),
    }


def sqlite_search_install() -> None:
    """(Re)create the FTS5 table and its triggers and rebuild the index from jobs_posting — after
    a migration that rebuilt the table on SQLite, or to repair. A no-op on PostgreSQL (REINDEX
    INDEX jobs_posting_search_gin rebuilds the GIN index there)."""
    if connection.vendor != "sqlite":
        return
    import importlib

    migration = importlib.import_module("apps.jobs.migrations.0002_search_index")
    with connection.cursor() as cursor:
        for sql in migration.SQLITE_FORWARD:
            cursor.execute(sql)


# --- one posting, favourites, an employer's profile -------------------------------------------

def posting_for_graduate(*, graduate, pk) -> Posting:
    """A posting open to the graduate, with everything its page shows; another channel's,
    an expired or a suspended employer's posting is a missing one (NotFound)."""
    from apps.core.errors import NotFound

    places = PostingPlace.objects.only("id", "posting_id", "county_code").order_by("county_code", "id")
    posting = (postings_open_to(graduate).select_related("employer", "channel_school")
               .prefetch_related(Prefetch("places", queryset=places)).filter(pk=pk).first())
    if posting is None:
        raise NotFound("职位不存在或已下线")
    return posting


def is_favourite(*, graduate, posting_id) -> bool:
    from apps.jobs.models import PostingFavourite

    return PostingFavourite.objects.filter(graduate=graduate, posting_id=posting_id).exists()


def favourites_of(*, actor, graduate) -> QuerySet:
    """The graduate's favourites, newest first, each with `is_open` (still open to them)."""
    from apps.accounts.scoping import visible_to
    from apps.jobs.models import PostingFavourite

    open_now = postings_open_to(graduate).filter(pk=OuterRef("posting_id"))
    return (visible_to(PostingFavourite, actor)
            .select_related("posting", "posting__employer")
            .only("id", "created_at", "graduate_id", "posting__id", "posting__title", "posting__salary_min",
                  "posting__salary_max", "posting__deadline", "posting__status", "posting__closed_reason",
                  "posting__employer__id", "posting__employer__name")
            .annotate(is_open=Exists(open_now))
            .order_by("-created_at", "-id"))


def employers_open_to(graduate) -> QuerySet:
    """Verified employers whose verification counts where the graduate looks: by the
    graduate's province, or by the graduate's school."""
    from apps.organisations.models import Employer, EmployerStatus

    school = graduate.school
    return Employer.objects.filter(
        Q(verifier_school__isnull=True, verifier_province_id=school.province_id) | Q(verifier_school_id=school.pk),
        status=EmployerStatus.VERIFIED)


def employer_for_graduate(*, graduate, pk):
    from apps.core.errors import NotFound

    employer = employers_open_to(graduate).select_related("division").filter(pk=pk).first()
    if employer is None:
        raise NotFound("单位不存在或未通过认证")
    return employer


def employer_postings(*, graduate, employer, page=1) -> ListPage:
    qs = with_list_columns(postings_open_to(graduate).filter(employer=employer)).order_by(*ORDERS[SORT_NEW])
    number, clamped = page_number(page)
    return read_page(qs, number=number, per_page=PER_PAGE, max_page=SEARCH_MAX_PAGE, clamped=clamped, count=False)


def employer_profile(employer) -> dict:
    """What a graduate reads about a verified employer (no contact mobile, no licence)."""
    from apps.organisations.models import EmployerSize

    return {
        "id": employer.pk,
        "name": employer.name,
        "nature": code_label("unit_nature", employer.nature_code),
        "industry": code_label("industry", employer.industry_code),
        "place": employer.division.full_name if employer.division_id and employer.division else "",
        "address": employer.address,
        "size": EmployerSize(employer.size).label if employer.size in EmployerSize.values else "",
        "introduction": employer.introduction,
        "verified_by": "院校认证" if employer.verifier_school_id else "省级认证",
    }


def favourites_page(*, actor, graduate, page=1) -> ListPage:
    number, clamped = page_number(page)
    return read_page(favourites_of(actor=actor, graduate=graduate), number=number, per_page=PER_PAGE,
                     max_page=SEARCH_MAX_PAGE, clamped=clamped, count=False)
