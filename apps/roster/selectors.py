"""Read side of the roster import: imports, their issues, and duplicate roster records."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from apps.accounts.scoping import visible_to
from apps.graduates.models import Graduate
from apps.roster.models import RosterImport, RosterIssue


def roster_imports_visible(*, actor) -> QuerySet[RosterImport]:
    return visible_to(RosterImport, actor).select_related("uploaded_by").order_by("-created_at", "-id")


def roster_issues(*, actor, roster_import: RosterImport) -> QuerySet[RosterIssue]:
    return visible_to(RosterIssue, actor).filter(roster_import=roster_import).order_by("row_number", "id")


DUPLICATE_LOGIN = "login"
DUPLICATE_ID = "id_number"
DUPLICATE_KINDS = {
    DUPLICATE_LOGIN: "学号、姓名和身份证号相同的多条记录（毕业生登录时会提示“信息重复”）",
    DUPLICATE_ID: "同一身份证号在本届出现多次",
}


# 重复记录 is a paginated list of the cohort's shared ID numbers (issue 9: at provincial scale the
# old report rendered every group, 100,000 rows in one response).
DUPLICATE_KEYS_PER_PAGE = 20  # ID numbers per page; each gives one or two groups
DUPLICATE_MEMBERS_SHOWN = 20  # records shown per ID number; the rest are counted


@dataclass
class DuplicateGroup:
    kind: str
    members: list[Graduate] = field(default_factory=list)
    total: int = 0  # records in the group; more than len(members) when some are not shown

    @property
    def kind_label(self) -> str:
        return DUPLICATE_KINDS[self.kind]

    @property
    def not_shown(self) -> int:
        return max(0, self.total - len(self.members))


def roster_duplicate_keys(*, actor, cohort: int) -> QuerySet:
    """One row per ID number held by several records of the cohort: {school_id, id_number_hash,
    n}, in the order of graduate_login_idx (school, id_number_hash), so a page is read from the
    index and stops at its LIMIT. Page it with apps.core.listing.bounded_page / bounded_api_page
    and turn a page into groups with ``roster_duplicate_groups``.

    Every login duplicate (same school + student number + name + ID number) lies inside one of
    these: a page of ID numbers is a page of both kinds of group."""
    return (
        visible_to(Graduate, actor).filter(cohort=cohort)
        .values("school_id", "id_number_hash").annotate(n=Count("id")).filter(n__gt=1)
        .order_by("school_id", "id_number_hash")
    )


_MEMBER_FIELDS = ("id", "school_id", "cohort", "student_number", "name", "id_number", "id_number_hash",
                  "education_level_code", "college__name", "major__name")


def roster_duplicate_groups(*, actor, cohort: int, keys) -> list[DuplicateGroup]:
    """The groups of one page of ``roster_duplicate_keys`` in ONE query whatever the page: the
    first DUPLICATE_MEMBERS_SHOWN records of each ID number (a window per ID number), with
    college and major, wide columns left out. Per ID number: (a) the groups the graduate login
    would find twice (same student number + name), then (b) the ID number's records, unless
    they are exactly one (a) group."""
    keys = list(keys)
    if not keys:
        return []
    wanted = {(k["school_id"], k["id_number_hash"]): k["n"] for k in keys}
    position = Window(RowNumber(), partition_by=[F("school_id"), F("id_number_hash")],
                      order_by=[F("student_number").asc(), F("education_level_code").asc(), F("id").asc()])
    rows = (
        visible_to(Graduate, actor)
        .filter(cohort=cohort, school_id__in={k[0] for k in wanted}, id_number_hash__in={k[1] for k in wanted})
        .select_related("college", "major").only(*_MEMBER_FIELDS)
        .annotate(position=position).filter(position__lte=DUPLICATE_MEMBERS_SHOWN)
        .order_by("school_id", "id_number_hash", "student_number", "education_level_code", "id")
    )
    by_key: dict[tuple[int, str], list[Graduate]] = {}
    for graduate in rows:
        by_key.setdefault((graduate.school_id, graduate.id_number_hash), []).append(graduate)
    groups: list[DuplicateGroup] = []
    for key, total in wanted.items():  # the page's order
        records = by_key.get(key, [])
        if not records:
            continue  # changed since the page was read
        login: dict[tuple[str, str], list[Graduate]] = {}
        for graduate in records:
            login.setdefault((graduate.student_number, graduate.name), []).append(graduate)
        login_groups = [members for members in login.values() if len(members) > 1]
        groups.extend(DuplicateGroup(DUPLICATE_LOGIN, members, len(members)) for members in login_groups)
        if not (len(login_groups) == 1 and len(login_groups[0]) == total):
            groups.append(DuplicateGroup(DUPLICATE_ID, records, total))
    return groups
