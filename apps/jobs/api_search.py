"""JSON API of 职位搜索 for graduates (/api/v1/jobs/): search, a posting, favourites, an
employer's profile. The pages and these endpoints share apps/jobs/search_query.py and the
favourite services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Query, Router, Schema, Status
from pydantic import Field

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.core.api import AUTH
from apps.core.errors import DomainError, NotFound
from apps.core.pagination import MAX_ID, PageNumber
from apps.graduates.models import Graduate
from apps.jobs import search_query as sq
from apps.jobs import services_favourites as services

router = Router(tags=["职位搜索"], auth=AUTH)

PostingId = Annotated[int, Field(ge=1, le=MAX_ID)]


class JobSearchRow(Schema):
    id: int
    title: str
    employer_id: int
    employer_name: str
    places: list[str]
    salary: str
    salary_min: int
    salary_max: int
    education: str
    category: str
    industry: str
    openings: int
    deadline: date
    published_at: datetime | None
    channel: str


class JobSearchPage(Schema):
    page: int
    page_size: int
    has_next: bool
    sort: str
    sort_label: str
    tokens: list[str]
    notes: list[str]
    items: list[JobSearchRow]


class JobSearchDetail(JobSearchRow):
    majors_text: str
    description: str
    contact_name: str
    contact_phone: str
    view_count: int
    favourite: bool


class JobSearchFavouriteRow(Schema):
    posting_id: int
    title: str
    employer_name: str
    salary: str
    deadline: date
    is_open: bool
    created_at: datetime


class JobSearchFavouritePage(Schema):
    page: int
    page_size: int
    has_next: bool
    items: list[JobSearchFavouriteRow]


class JobSearchFavouriteOut(Schema):
    posting_id: int
    favourite: bool


class JobSearchEmployerOut(Schema):
    id: int
    name: str
    nature: str
    industry: str
    place: str
    address: str
    size: str
    introduction: str
    verified_by: str
    page: int
    has_next: bool
    postings: list[JobSearchRow]


def _graduate(request) -> Graduate:
    require_role(request.user, (Role.GRADUATE,))
    return Graduate.objects.select_related("school").get(pk=request.user.graduate_id)


@router.get("/search", response=JobSearchPage, summary="搜索职位（关键词全部命中；筛选：地点、行业、职位类别、学历、月薪、渠道；排序：match/new/salary）")
def search(request,
           keyword: Annotated[str, Query(max_length=100, description="关键词，如 软件工程师")] = "",
           place: Annotated[str, Query(max_length=12, description="工作地点：省、市或区县的六位区划代码")] = "",
           industry: Annotated[str, Query(max_length=12, description="单位行业代码")] = "",
           category: Annotated[str, Query(max_length=12, description="职位类别代码")] = "",
           education: Annotated[str, Query(max_length=12, description="学历代码（不限学历的职位也在结果中）")] = "",
           salary: Annotated[str, Query(max_length=12, description="月薪区间：lt3k、3k-5k、5k-8k、8k-12k、12k-20k、ge20k")] = "",
           channel: Annotated[str, Query(max_length=12, description="渠道：school 本校、province 全省；省略为两者")] = "",
           sort: Annotated[str, Query(max_length=12, description="排序：match 匹配度（有关键词时默认）、new 最新、salary 薪资")] = "",
           page: PageNumber = 1):
    graduate = _graduate(request)
    raw = {"place": place, "industry": industry, "category": category, "education": education, "salary": salary,
           "channel": channel}
    filters, errors = sq.parse_filters(raw)
    if sort and sort not in sq.SORTS:
        errors["sort"] = "排序方式只能是 match、new 或 salary"
    if errors:
        raise DomainError("筛选条件不正确：" + "；".join(errors.values()), fields=errors)
    if page > sq.SEARCH_MAX_PAGE:
        raise DomainError(f"搜索结果最多显示前{sq.SEARCH_MAX_PAGE}页，请增加关键词或筛选条件",
                          fields={"page": f"应不大于{sq.SEARCH_MAX_PAGE}"})
    result = sq.search_postings(graduate=graduate, keyword=keyword, filters=filters, sort=sort, page=page)
    return {"page": result.page.number, "page_size": result.page.per_page, "has_next": result.page.has_next,
            "sort": result.sort, "sort_label": sq.SORTS[result.sort], "tokens": result.tokens,
            "notes": result.notes, "items": result.rows}


@router.get("/favourites", response=JobSearchFavouritePage, summary="我收藏的职位（最新收藏在前）")
def favourites(request, page: PageNumber = 1):
    graduate = _graduate(request)
    if page > sq.SEARCH_MAX_PAGE:
        return {"page": page, "page_size": sq.PER_PAGE, "has_next": False, "items": []}
    result = sq.favourites_page(actor=request.user, graduate=graduate, page=page)
    return {"page": result.number, "page_size": result.per_page, "has_next": result.has_next, "items": [
        {"posting_id": f.posting_id, "title": f.posting.title, "employer_name": f.posting.employer.name,
         "salary": sq.salary_text(f.posting.salary_min, f.posting.salary_max), "deadline": f.posting.deadline,
         "is_open": f.is_open, "created_at": f.created_at} for f in result.object_list]}


@router.get("/employers/{employer_id}", response=JobSearchEmployerOut, summary="已认证单位的简介及其在招职位")
def employer(request, employer_id: PostingId, page: PageNumber = 1):
    graduate = _graduate(request)
    found = sq.employer_for_graduate(graduate=graduate, pk=employer_id)
    postings = sq.employer_postings(graduate=graduate, employer=found, page=min(page, sq.SEARCH_MAX_PAGE))
    return {**sq.employer_profile(found), "page": postings.number, "has_next": postings.has_next,
            "postings": [sq.posting_summary(p) for p in postings.object_list]}


@router.get("/{posting_id}", response=JobSearchDetail, summary="职位详情（计一次浏览）")
def detail(request, posting_id: PostingId):
    graduate = _graduate(request)
    posting = sq.posting_for_graduate(graduate=graduate, pk=posting_id)
    services.posting_viewed(posting=posting)
    return {**sq.posting_summary(posting), "majors_text": posting.majors_text, "description": posting.description,
            "contact_name": posting.contact_name, "contact_phone": posting.contact_phone,
            "view_count": posting.view_count + 1,
            "favourite": sq.is_favourite(graduate=graduate, posting_id=posting.pk)}


@router.post("/{posting_id}/favourite", response={201: JobSearchFavouriteOut}, summary="收藏职位（重复收藏不报错）")
def favourite_add(request, posting_id: PostingId):
    services.favourite_add(actor=request.user, posting_id=posting_id)
    return Status(201, {"posting_id": posting_id, "favourite": True})


@router.delete("/{posting_id}/favourite", response={204: None}, summary="取消收藏")
def favourite_remove(request, posting_id: PostingId):
    if not services.favourite_remove(actor=request.user, posting_id=posting_id):
        raise NotFound("未收藏该职位")
    return Status(204, None)
