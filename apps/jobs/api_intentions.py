"""JSON API of 求职意向职位 (/api/v1/intentions/): the graduate reads and saves their own
intention and reads the matching postings with their reasons. Same service, selectors and
presenter as the page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Query, Router, Schema

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.core.api import AUTH
from apps.graduates.models import Graduate
from apps.jobs.intentions import (
    CODE_CRITERIA,
    SPECIAL_PLACES,
    intention_is_empty,
    intention_state,
    place_label,
    salary_band_label,
)
from apps.jobs.matching import MAX_LIMIT, intention_of, matching_postings
from apps.jobs.services_intentions import intention_save
from apps.jobs.views_intentions import posting_detail_url

router = Router(tags=["求职意向职位"], auth=AUTH)

_CODES = Annotated[list[str], Field(max_length=50)]


class IntentionCodeOut(Schema):
    code: str
    label: str


class IntentionActionOut(Schema):
    code: str
    label: str
    url: str
    method: str


class IntentionStateOut(Schema):
    """What the page shows about the intention (apps/jobs/intentions.intention_state)."""

    code: str
    title: str
    text: str
    tone: str
    actions: list[IntentionActionOut]


class IntentionOut(Schema):
    nature_codes: list[IntentionCodeOut]
    industry_codes: list[IntentionCodeOut]
    place_codes: list[IntentionCodeOut]  # province (2 digits), city (4 digits), or a special place key
    category_codes: list[IntentionCodeOut]
    salary_band: str
    salary_band_label: str
    notify: bool
    updated_at: datetime | None
    special_places: list[IntentionCodeOut]
    state: IntentionStateOut


class IntentionIn(Schema):
    nature_codes: _CODES = []
    industry_codes: _CODES = []
    place_codes: _CODES = []
    category_codes: _CODES = []
    salary_band: str = Field("", max_length=20)
    notify: bool = False


class IntentionMatchOut(Schema):
    id: int
    title: str
    employer: str
    place: str
    salary: str
    salary_min: int
    salary_max: int
    published_at: datetime | None
    deadline: str
    score: int
    reasons: list[str]
    url: str


def _out(intention) -> dict:
    from apps.reference.selectors import code_label

    body: dict = {"salary_band": "", "salary_band_label": "", "notify": False, "updated_at": None,
                  "place_codes": [], **{c.field: [] for c in CODE_CRITERIA}}
    if intention is not None:
        for criterion in CODE_CRITERIA:
            body[criterion.field] = [{"code": code, "label": code_label(criterion.table, code)}
                                     for code in getattr(intention, criterion.field)]
        body["place_codes"] = [{"code": code, "label": place_label(code)} for code in intention.place_codes]
        body.update(salary_band=intention.salary_band, salary_band_label=salary_band_label(intention.salary_band),
                    notify=intention.notify, updated_at=intention.updated_at)
    body["special_places"] = [{"code": s.key, "label": s.label} for s in SPECIAL_PLACES.values()]
    body["state"] = intention_state(intention).as_dict()
    return body


@router.get("/mine", response=IntentionOut, summary="我的求职意向（未填写时各项为空）")
def get_mine(request):
    require_role(request.user, (Role.GRADUATE,))
    return _out(intention_of(actor=request.user))


@router.put("/mine", response=IntentionOut,
            summary="保存我的求职意向（整体替换：单位性质、行业、工作地点、职位类别各最多5项，一个期望月薪区间，新职位提醒开关）")
def save_mine(request, payload: IntentionIn):
    intention = intention_save(actor=request.user, data=payload.dict())
    return _out(intention)


@router.get("/mine/matches", response=list[IntentionMatchOut],
            summary="符合我的求职意向的已发布职位，最符合的在前，附符合原因")
def my_matches(request, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"条数（1–{MAX_LIMIT}）")] = 20):
    require_role(request.user, (Role.GRADUATE,))
    intention = intention_of(actor=request.user)
    if intention_is_empty(intention):
        return []
    graduate = Graduate.objects.select_related("school").get(pk=request.user.graduate_id)
    return [{"id": m.posting.pk, "title": m.posting.title, "employer": m.posting.employer.name, "place": m.place,
             "salary": m.salary, "salary_min": m.posting.salary_min, "salary_max": m.posting.salary_max,
             "published_at": m.posting.published_at, "deadline": m.posting.deadline.isoformat(), "score": m.score,
             "reasons": m.reasons, "url": posting_detail_url(m.posting.pk)}
            for m in matching_postings(graduate=graduate, intention=intention, limit=limit)]
