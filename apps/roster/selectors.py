"""Read side of the roster import: imports, their issues, and duplicate roster records."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

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


@dataclass
class DuplicateGroup:
    kind: str
    members: list[Graduate] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return DUPLICATE_KINDS[self.kind]


def roster_duplicates(*, actor, cohort: int) -> list[DuplicateGroup]:
    """Records of one cohort the school has to resolve, in two queries whatever the size:
    (a) groups the graduate login would find twice (same school + student number + name +
    ID number, e.g. under two education levels) and (b) one ID number on several records.
    A (b) group whose records are exactly one (a) group is not listed twice."""
    base = visible_to(Graduate, actor).filter(cohort=cohort)
    login_keys = {
        (row["school_id"], row["student_number"], row["name"], row["id_number_hash"])
        for row in base.values("school_id", "student_number", "name", "id_number_hash")
        .annotate(n=Count("id")).filter(n__gt=1).order_by()
    }
    shared_ids = (
        base.values("school_id", "id_number_hash").annotate(n=Count("id")).filter(n__gt=1)
        .order_by().values("id_number_hash")
    )
    members = list(
        base.filter(id_number_hash__in=shared_ids)
        .select_related("college", "major")
        .order_by("id_number_hash", "student_number", "education_level_code", "id")
    )
    by_id: dict[tuple[int, str], list[Graduate]] = {}
    for graduate in members:
        by_id.setdefault((graduate.school_id, graduate.id_number_hash), []).append(graduate)
    groups: list[DuplicateGroup] = []
    for (school_id, id_hash), records in by_id.items():
        login_groups: dict[tuple, list[Graduate]] = {}
        for graduate in records:
            key = (school_id, graduate.student_number, graduate.name, id_hash)
            if key in login_keys:
                login_groups.setdefault(key, []).append(graduate)
        groups.extend(DuplicateGroup(DUPLICATE_LOGIN, g) for g in login_groups.values())
        if not (len(login_groups) == 1 and len(next(iter(login_groups.values()))) == len(records)):
            groups.append(DuplicateGroup(DUPLICATE_ID, records))
    groups.sort(key=lambda g: (g.kind != DUPLICATE_LOGIN, g.members[0].student_number))
    return groups
