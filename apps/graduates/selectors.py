from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from apps.accounts.models import Role
from apps.accounts.scoping import visible_to
from apps.core.listing import KEYWORD_MATCH_CAP, keyword_pks
from apps.core.text import normalise
from apps.graduates.models import Graduate
from apps.organisations.models import School


def graduate_keyword_ids(actor, keyword: str) -> list[int]:
    """姓名/学号 on a list of graduates' records (queues, agreements, archives …): the graduates in
    the actor's scope whose student number is the keyword or whose name starts with it — separate
    indexed lookups on the graduates table (apps.core.listing.keyword_pks), never one
    ``a = q OR b LIKE 'q%'`` predicate over the joined list. Callers filter ``graduate_id__in``."""
    graduates = visible_to(Graduate, actor)
    if getattr(actor, "school_id", None):  # college staff too: the (school, name) index serves the prefix
        graduates = graduates.filter(school_id=actor.school_id)
    return keyword_pks(graduates, keyword, exact=["student_number"], prefix=["name"])


# The staff list's one order (毕业生名单: school, newest cohort first, college, student number),
# served by graduate_school_list_idx for school and province staff and by
# graduate_college_list_idx once the college is fixed (college staff, or the college filter):
# scope + filters + ORDER BY + LIMIT then stop after one page instead of sorting the scope.
GRADUATE_LIST_ORDER = ("school_id", "-cohort", "college_id", "student_number", "id")

# What the list shows (and the API's summary): the encrypted phone numbers, addresses, PIN
# hash … are not read. The ID number is (one AES-GCM decryption per shown row) for its
# masked form.
GRADUATE_LIST_FIELDS = (
    "id", "school_id", "college_id", "major_id", "cohort", "student_number", "name", "education_level_code",
    "id_number", "origin_confirmed_at", "school__name", "college__name", "major__name",
    # the one-to-one destination, LEFT JOINed on its unique graduate_id: category + state per row
    "destination__id", "destination__category_code", "destination__status",
)

# 未登记: the destination filter's value for "no destination row at all".
UNREGISTERED = "none"
# 身份证号后四位: four digits, or three digits and the check character X. A query of four
# digits may also be a (short) student number or a name prefix: all lookups run and their
# results are united (the staff member typed four characters; every graduate they can mean
# is listed), see docs in graduates_list.
ID_LAST4 = re.compile(r"^[0-9]{3}[0-9X]$")


@dataclass(frozen=True)
class GraduateFilters:
    cohort: int | None = None
    school_id: int | None = None  # province staff narrow to one school
    college_id: int | None = None
    major_id: int | None = None
    education_level_code: str = ""
    keyword: str = ""  # exact student number, name prefix or ID number's last four (学号 / 姓名开头 / 身份证号后四位)
    # the directory's filters (毕业生查询, issue 14); empty / None = not filtered
    origin_province: str = ""  # 生源地省份: the province division's code (e.g. "340000")
    destination_category: str = ""  # a destination code (its sub-codes included) or UNREGISTERED
    destination_status: str = ""  # 审核状态: a DestinationStatus value
    origin_confirmed: bool | None = None  # 生源已确认
    signed_online: bool | None = None  # 已网签: an agreement in force exists
    hardship_code: str = ""  # 困难生类别
    normal_student_code: str = ""  # 师范生类别


def graduates_list(*, actor, filters: GraduateFilters) -> QuerySet[Graduate]:
    """Staff list and directory (毕业生名单 / 毕业生查询) in GRADUATE_LIST_ORDER; read it with
    apps.core.listing's bounded_page / bounded_api_page (no COUNT over the scope, no deep OFFSET),
    or iterate it for the export.

    The keyword is bounded, separately indexed lookups (exact student number:
    graduate_student_number_idx; name prefix: graduate_name_idx; a keyword shaped like the ID
    number's last four characters also (school, id_last4): graduate_id_last4_idx), never one OR
    predicate that defeats the indexes. A four-digit keyword runs all of them and lists the union:
    「1234」 may be a student number, a name never starts with digits, and the last four of an ID
    number are what staff read off a masked number — showing both kinds is cheaper than a
    wrong guess.

    Every other filter is a predicate on the graduate row or an EXISTS on the one-to-one
    destination / the agreements: one statement whatever is chosen, and the ORDER BY stays the
    list index's."""
    scoped = visible_to(Graduate, actor)
    if getattr(actor, "role", None) == Role.PROVINCE_STAFF:
        # The province scope is a join (school → province). SQLite then loops over the schools
        # and sorts all their graduates (10 s at 500,000); the same schools also given as
        # ``school_id IN (…)`` — a narrowing of what visible_to allows, never a widening —
        # let SQLite and PostgreSQL walk graduate_school_list_idx in order and stop at the LIMIT.
        scoped = scoped.filter(school_id__in=visible_to(School, actor).values("pk"))
    qs = _filtered(scoped, filters)
    keyword, pks, capped = normalise(filters.keyword), [], False
    if keyword:
        # the lookups start from the scope (and school/college filter: narrower index ranges)
        base = scoped
        if filters.school_id:
            base = base.filter(school_id=filters.school_id)
        if filters.college_id:
            base = base.filter(college_id=filters.college_id)
        found = dict.fromkeys(keyword_pks(base, keyword, exact=["student_number"], prefix=["name"],
                                          cap=KEYWORD_MATCH_CAP))
        capped = len(found) >= KEYWORD_MATCH_CAP
        if ID_LAST4.match(keyword.upper()):
            last4 = keyword_pks(base, keyword.upper(), exact=["id_last4"], cap=KEYWORD_MATCH_CAP)
            capped = capped or len(last4) >= KEYWORD_MATCH_CAP
            found.update(dict.fromkeys(last4))
        pks = list(found)
        qs = qs.filter(pk__in=pks)
    qs = (qs.select_related("school", "college", "major", "destination")
          .only(*GRADUATE_LIST_FIELDS)
          .annotate(signed_online=signed_online_exists())
          .order_by(*GRADUATE_LIST_ORDER))
    # a lookup stopped at its cap: more people match than the list holds (「超过 N 条」)
    qs.keyword_capped = bool(keyword) and (capped or len(pks) >= KEYWORD_MATCH_CAP)
    return qs


def signed_online_exists():
    """已网签: an agreement in force (the partial unique index one_agreement_in_force_per_graduate
    answers it per row)."""
    from apps.signing.models import Agreement, AgreementStatus

    return Exists(Agreement.objects.filter(graduate_id=OuterRef("pk"), status=AgreementStatus.IN_FORCE))


def category_with_subcodes(code: str) -> list[str]:
    """A destination category and the categories under it (parent_code in the code table):
    filtering 「国家基层项目」 also finds 三支一扶 and 西部计划."""
    from apps.destinations import catalog

    return [code, *(c.code for c in catalog.categories() if c.parent_code == code)]


def _filtered(qs: QuerySet[Graduate], filters: GraduateFilters) -> QuerySet[Graduate]:
    from apps.destinations.models import Destination

    if filters.school_id:
        qs = qs.filter(school_id=filters.school_id)
    if filters.cohort:
        qs = qs.filter(cohort=filters.cohort)
    if filters.college_id:
        qs = qs.filter(college_id=filters.college_id)
    if filters.major_id:
        qs = qs.filter(major_id=filters.major_id)
    if filters.education_level_code:
        qs = qs.filter(education_level_code=filters.education_level_code)
    if filters.origin_province:
        # a division code's first two digits are its province (GB/T 2260): 340104 lies in 340000
        qs = qs.filter(origin_division__code__startswith=filters.origin_province[:2])
    if filters.hardship_code:
        qs = qs.filter(hardship_code=filters.hardship_code)
    if filters.normal_student_code:
        qs = qs.filter(normal_student_code=filters.normal_student_code)
    if filters.origin_confirmed is not None:
        qs = qs.filter(origin_confirmed_at__isnull=not filters.origin_confirmed)
    if filters.signed_online is not None:
        signed = signed_online_exists()
        qs = qs.filter(signed if filters.signed_online else ~signed)
    if filters.destination_category == UNREGISTERED:
        if filters.destination_status:
            return qs.none()  # no record has no review state
        qs = qs.filter(~Exists(Destination.objects.filter(graduate_id=OuterRef("pk"))))
    elif filters.destination_category or filters.destination_status:
        condition = {}
        if filters.destination_category:
            condition["category_code__in"] = category_with_subcodes(filters.destination_category)
        if filters.destination_status:
            condition["status"] = filters.destination_status
        # the destination's own school column (always the graduate's) lets PostgreSQL read one
        # school's destinations from dest_school_category_idx / dest_school_queue_idx instead of
        # probing the province's (measured: 283 → 65 ms at 500,000 graduates, bench/README.md)
        qs = qs.filter(Exists(Destination.objects.filter(graduate_id=OuterRef("pk"), school_id=OuterRef("school_id"),
                                                         **condition)))
    return qs


def keyword_capped_total(page, qs) -> None:
    """Say 「超过 N 条」 when the keyword found more people than a lookup returns."""
    if getattr(qs, "keyword_capped", False):
        page.total, page.total_capped = max(page.total, KEYWORD_MATCH_CAP), True


# --- the directory (毕业生查询, issue 14): filters from a query string, rows, one graduate -------

YES_NO = {"yes": True, "no": False, "1": True, "0": False}


def directory_filters(*, actor, cohort=None, school_id=None, college_id=None, major_id=None, level: str = "",
                      q: str = "", origin_province: str = "", category: str = "", status: str = "",
                      confirmed: str = "", signed: str = "", hardship: str = "", normal: str = "") -> GraduateFilters:
    """The directory's filters from what a page's query string or the API gave. A value that is
    not one of the choices (a stale link, a typo) is left out — that filter is simply not applied,
    never a 500; ids outside the actor's scope narrow to nothing (visible_to still decides)."""
    from apps.destinations import catalog
    from apps.destinations.models import DestinationStatus
    from apps.reference.selectors import code_labels, division_ref

    def code(value, table, scheme=""):
        value = normalise(value)
        return value if value and value in code_labels(table, scheme) else ""

    province = ""
    division = division_ref(normalise(origin_province)) if normalise(origin_province) else None
    if division is not None and division.parent is None:  # a province (level 1), not a city
        province = division.code
    category_code = normalise(category)
    if category_code != UNREGISTERED and catalog.category(category_code) is None:
        category_code = ""
    status_value = normalise(status)
    if status_value not in DestinationStatus.values:
        status_value = ""
    return GraduateFilters(
        cohort=cohort if isinstance(cohort, int) and 2000 <= cohort <= 2100 else None,
        school_id=school_id if getattr(actor, "role", None) == Role.PROVINCE_STAFF else None,
        college_id=college_id,
        major_id=major_id,
        education_level_code=code(level, "education_level", "employment-xldm"),
        keyword=(q or "")[:50],
        origin_province=province,
        destination_category=category_code,
        destination_status=status_value,
        origin_confirmed=YES_NO.get(normalise(confirmed).lower()),
        signed_online=YES_NO.get(normalise(signed).lower()),
        hardship_code=code(hardship, "hardship"),
        normal_student_code=code(normal, "normal_student"),
    )


@dataclass(frozen=True)
class DirectoryRow:
    """One graduate as the directory lists and exports them (ID number masked)."""

    id: int
    name: str
    student_number: str
    id_number_masked: str
    school: str
    college: str
    major: str
    education_level: str
    cohort: int
    destination_category: str  # 「未登记」 without a destination
    destination_status: str
    origin_confirmed: bool
    signed_online: bool


def directory_row(graduate: Graduate) -> DirectoryRow:
    """Labels from the reference snapshot (no query); the destination came with the row."""
    from apps.destinations.models import Destination
    from apps.reference.selectors import code_label

    try:
        destination = graduate.destination
    except Destination.DoesNotExist:
        destination = None
    return DirectoryRow(
        id=graduate.pk,
        name=graduate.name,
        student_number=graduate.student_number,
        id_number_masked=graduate.masked_id_number,
        school=graduate.school.name,
        college=graduate.college.name,
        major=graduate.major.name,
        education_level=code_label("education_level", graduate.education_level_code, "employment-xldm"),
        cohort=graduate.cohort,
        destination_category=(code_label("destination", destination.category_code) if destination else "未登记"),
        destination_status=destination.get_status_display() if destination else "",
        origin_confirmed=graduate.origin_confirmed_at is not None,
        signed_online=bool(getattr(graduate, "signed_online", False)),
    )


def filters_summary(filters: GraduateFilters) -> dict[str, str]:
    """The filters in words (for the export's audit entry): {条件: 值}, only those applied."""
    from apps.destinations.models import DestinationStatus
    from apps.organisations.models import College, Major
    from apps.reference.selectors import code_label, division_ref

    summary: dict[str, str] = {}
    if filters.school_id:
        summary["院校"] = School.objects.filter(pk=filters.school_id).values_list("name", flat=True).first() or ""
    if filters.college_id:
        summary["院系"] = College.objects.filter(pk=filters.college_id).values_list("name", flat=True).first() or ""
    if filters.major_id:
        summary["专业"] = Major.objects.filter(pk=filters.major_id).values_list("name", flat=True).first() or ""
    if filters.cohort:
        summary["届别"] = str(filters.cohort)
    if filters.education_level_code:
        summary["学历层次"] = code_label("education_level", filters.education_level_code, "employment-xldm")
    if filters.keyword:
        summary["关键词"] = filters.keyword
    if filters.origin_province:
        ref = division_ref(filters.origin_province)
        summary["生源地"] = ref.name if ref else filters.origin_province
    if filters.destination_category:
        summary["毕业去向"] = ("未登记" if filters.destination_category == UNREGISTERED
                            else code_label("destination", filters.destination_category))
    if filters.destination_status:
        summary["审核状态"] = DestinationStatus(filters.destination_status).label
    if filters.origin_confirmed is not None:
        summary["生源确认"] = "已确认" if filters.origin_confirmed else "未确认"
    if filters.signed_online is not None:
        summary["网签"] = "已网签" if filters.signed_online else "未网签"
    if filters.hardship_code:
        summary["困难生类别"] = code_label("hardship", filters.hardship_code)
    if filters.normal_student_code:
        summary["师范生类别"] = code_label("normal_student", filters.normal_student_code)
    return summary


SECTION_LIMIT = 20  # rows per section of the staff view; a longer history links to its page


@dataclass
class GraduateStaffView:
    """Everything the platform holds about one graduate, each part read through the actor's
    scope with one bounded statement (毕业生查询 → 毕业生页面)."""

    graduate: Graduate
    destination: object | None
    destination_history: list
    invitations: list
    agreements: list
    terminations: list
    corrections: list
    archive: object | None
    audit: list
    audit_more: bool


def graduate_staff_view(*, actor, graduate: Graduate) -> GraduateStaffView:
    """The graduate must already have been fetched through get_visible (so in scope); every
    related read starts from visible_to again, so a row outside the actor's scope never shows."""
    from apps.archives.models import ArchiveTransfer
    from apps.audit.selectors import graduate_history
    from apps.corrections.models import Correction
    from apps.destinations.models import Destination
    from apps.signing.models import Agreement, Invitation, Termination

    gid = graduate.pk
    destination = (visible_to(Destination, actor).filter(graduate_id=gid).select_related("unit_division")
                   .first())
    history = graduate_history(actor=actor, graduate_id=gid)
    audit = list(history.select_related("actor")[: SECTION_LIMIT + 1])
    destination_history = list(history.filter(target_type="Destination")[:SECTION_LIMIT])
    invitations = list(
        visible_to(Invitation, actor).filter(graduate_id=gid)
        .only("id", "graduate_id", "status", "unit_name", "position_name", "created_at", "expires_at", "decided_at")
        .order_by("-created_at", "-id")[:SECTION_LIMIT])
    agreements = list(
        visible_to(Agreement, actor).filter(graduate_id=gid).select_related("invitation")
        .only("id", "graduate_id", "number", "status", "accepted_at", "terminated_at", "invitation__id",
              "invitation__unit_name", "invitation__position_name")
        .prefetch_related("terminations")
        .order_by("-accepted_at", "-id")[:SECTION_LIMIT])
    # the signing presenters read the graduate's destination through agreement.graduate: give
    # them this one (or its absence) instead of a query per agreement
    Graduate.destination.related.set_cached_value(graduate, destination)
    for agreement in agreements:
        agreement.graduate = graduate
    terminations = list(
        visible_to(Termination, actor).filter(graduate_id=gid).select_related("agreement")
        .only("id", "graduate_id", "agreement_id", "agreement__number", "agreement__terminated_at", "reason",
              "status", "submitted_at",
              "college_reviewed_at", "school_reviewed_at", "reject_reason")
        .order_by("-submitted_at", "-id")[:SECTION_LIMIT])
    corrections = list(
        visible_to(Correction, actor).filter(graduate_id=gid).defer("proposed_value", "explanation")
        .order_by("-created_at", "-id")[:SECTION_LIMIT])
    archive = visible_to(ArchiveTransfer, actor).filter(graduate_id=gid).defer("contact_phone").first()
    return GraduateStaffView(
        graduate=graduate, destination=destination, destination_history=destination_history,
        invitations=invitations, agreements=agreements, terminations=terminations, corrections=corrections,
        archive=archive, audit=audit[:SECTION_LIMIT], audit_more=len(audit) > SECTION_LIMIT,
    )


def destination_field_rows(destination) -> list[dict]:
    """The registered destination's fields by label (the unit's phone masked like every number)."""
    from apps.core.text import mask_phone
    from apps.destinations import catalog
    from apps.destinations.presenters import display_rows

    if destination is None:
        return []
    rows = display_rows(destination, catalog.category(destination.category_code))
    for row in rows:
        if row["field"] == "unit_contact_phone":
            row["value"] = mask_phone(destination.unit_contact_phone)
    return rows


def profile_sections(graduate) -> list[dict]:
    """生源 in the handbook's groups (学籍信息, 基本信息, 生源, 联系方式), values as the field
    registry shows them to staff: codes by name, ID number and phones masked."""
    from apps.graduates.fields import SPECS, display_value

    groups: dict[str, list] = {}
    for name, spec in SPECS.items():
        groups.setdefault(spec.group, []).append({"field": name, "label": spec.label,
                                                  "value": display_value(name, graduate)})
    order = ("学籍信息", "基本信息", "生源", "联系方式")
    return [{"title": title, "rows": groups[title]} for title in order if title in groups]
