"""求职意向职位 (C8): the rules of a graduate's job intention, its special places and the one
presenter of its state.

An intention holds up to MAX_PER_CRITERION each of 单位性质 (code table unit_nature), 行业
(industry), 工作地点 and 职位类别 (position_category), one salary band (apps/jobs/salary.BANDS)
and the switch of the daily digest (apps/jobs/digest.py).

工作地点 are division codes of a province (2 digits, e.g. 34) or of a prefecture-level city
(4 digits, e.g. 3401), or one of SPECIAL_PLACES:

- 港澳台 (key ``gat``): postings with a place in the provinces 71 台湾, 81 香港, 82 澳门 (these
  are ordinary rows of the division list, so a posting's county there is stored as usual);
- 海外 (key ``overseas``): postings with NO domestic place. The division list has no foreign
  places and today's posting form requires a county, so no posting is abroad yet; the choice
  is stored and scored all the same, so the graduate's wish counts the day the posting form
  offers 海外 (a posting without a PostingPlace row).

A county (6 digits, level 3) is refused with a message: the intention is about where one
wants to live, a city is the finest level (省直辖县级 places and municipal districts are reached
through their province).
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.jobs.salary import BAND_BY_KEY, BANDS

MAX_PER_CRITERION = 5


@dataclass(frozen=True)
class SpecialPlace:
    key: str
    label: str
    provinces: tuple[str, ...]  # province codes it stands for; empty = no domestic place


SPECIAL_PLACES: dict[str, SpecialPlace] = {
    "gat": SpecialPlace("gat", "港澳台", ("71", "81", "82")),
    "overseas": SpecialPlace("overseas", "海外", ()),
}


@dataclass(frozen=True)
class Criterion:
    """One list criterion of an intention: the model field, the code table, its label and
    the posting column it is compared with."""

    field: str
    label: str
    table: str
    posting_column: str


CODE_CRITERIA = (
    Criterion("category_codes", "职位类别", "position_category", "category_code"),
    Criterion("industry_codes", "行业", "industry", "industry_code"),
    Criterion("nature_codes", "单位性质", "unit_nature", "nature_code"),
)
PLACE_LABEL = "工作地点"
SALARY_LABEL = "期望月薪"

# The score of a match (apps/jobs/matching.py): what a graduate says first about a job is the
# kind of work and where; the employer's industry and salary next; the unit's nature last.
WEIGHTS = {"category_codes": 4, "place_codes": 3, "industry_codes": 2, "salary_band": 2, "nature_codes": 1}
SALARY_REASON = "薪资符合期望"


def salary_band_choices() -> list[tuple[str, str]]:
    return [(band.key, band.label) for band in BANDS]


def salary_band_label(key: str) -> str:
    band = BAND_BY_KEY.get(key or "")
    return band.label if band else ""


def place_label(code: str) -> str:
    """Province / city name of a stored place code, or the special's label."""
    from apps.reference.selectors import division_ref

    special = SPECIAL_PLACES.get(code)
    if special is not None:
        return special.label
    ref = division_ref(code)
    return ref.full_name if ref is not None else code


def place_split(codes: list[str]) -> tuple[set[str], set[str], bool]:
    """(province codes, city codes, 海外 chosen) of stored place codes; 港澳台 adds its provinces."""
    provinces: set[str] = set()
    cities: set[str] = set()
    overseas = False
    for code in codes or ():
        special = SPECIAL_PLACES.get(code)
        if special is not None:
            provinces.update(special.provinces)
            overseas = overseas or not special.provinces
        elif len(code) == 2:
            provinces.add(code)
        elif len(code) == 4:
            cities.add(code)
    return provinces, cities, overseas


def intention_is_empty(intention) -> bool:
    return intention is None or not (intention.nature_codes or intention.industry_codes or intention.place_codes
                                      or intention.category_codes or intention.salary_band)


# --- the presenter: what a person reads about the intention's state --------------------------


def intention_state(intention):
    """The intention as its graduate reads it on the page and in the API (`state`): whether
    it is filled in, and whether the daily digest is on, with the digest's own hour."""
    from apps.core.states import Action, State
    from apps.jobs.digest import DIGEST_HOUR

    edit = (Action("edit", "修改求职意向", "job-intentions"),)
    if intention_is_empty(intention):
        return State("empty", "尚未填写求职意向",
                     "填写希望的职位类别、工作地点、行业、单位性质和期望月薪（每项最多"
                     f"{MAX_PER_CRITERION}个）后，这里会列出符合意向的已发布职位，最符合的排在前面。", "info", edit)
    if intention.notify:
        return State("notify_on", "新职位提醒已开启",
                     f"有新发布的职位符合您的意向时，每天最多提醒一条（{DIGEST_HOUR}点以后发送，"
                     "汇总上次提醒以来新发布的职位）。", "good", edit)
    return State("notify_off", "新职位提醒未开启",
                 "开启后，有新发布的职位符合您的意向时，每天最多提醒一条。", "info", edit)
