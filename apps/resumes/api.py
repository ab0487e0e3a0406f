"""JSON API of 简历维护 (C8) under /api/v1/resumes/: the graduate's own resume (snapshot,
completeness, items with ids; add, change, delete, reorder items; settings; PDF) and the
employers' 人才查找 (search, one resume with the contact masked). Pages and these endpoints
share the services, selectors and presenters."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status

from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.pagination import OptionalId, PageNumber, PageSize, api_page_bounds
from apps.reference.selectors import code_labels
from apps.resumes import services
from apps.resumes.documents import resume_pdf_download
from apps.resumes.presenters import (
    employer_resume_view,
    resume_completeness,
    resume_visibility_state,
)
from apps.resumes.sections import ITEM_COLUMNS, SECTIONS, period_text
from apps.resumes.selectors import (
    ResumeSearch,
    discoverable_resume_get,
    own_graduate,
    own_item_get,
    own_items,
    own_resume,
    resumes_search,
)
from apps.resumes.snapshot import resume_basic, resume_snapshot

router = Router(tags=["简历"], auth=AUTH)


class ResumeBasicOut(Schema):
    name: str
    gender: str
    education_level: str
    school: str
    college: str
    major: str
    cohort: int
    political_status: str
    phone: str
    email: str


class ResumeItemOut(Schema):
    id: int
    section: str
    section_label: str
    position: int
    title: str
    role: str
    level: str
    start_month: str
    end_month: str  # empty: 至今 (sections with a period)
    period: str
    description: str


class ResumeSectionOut(Schema):
    key: str
    label: str
    items: list[ResumeItemOut]


class ResumeCompletenessPart(Schema):
    key: str
    label: str
    done: bool


class ResumeCompletenessOut(Schema):
    percent: int
    missing: list[str]
    parts: list[ResumeCompletenessPart]


class ResumeActionOut(Schema):
    code: str
    label: str
    url: str
    method: str
    value: str


class ResumeStateOut(Schema):
    code: str
    title: str
    text: str
    tone: str
    actions: list[ResumeActionOut]


class ResumeMineOut(Schema):
    basic: ResumeBasicOut
    sections: list[ResumeSectionOut]  # every section, also empty ones, in page order
    self_evaluation: str
    discoverable: bool
    updated_at: datetime | None
    completeness: ResumeCompletenessOut
    state: ResumeStateOut  # 允许已认证单位查找我的简历


class ResumeItemIn(Schema):
    section: str = ""  # required to add; an existing item keeps its section
    title: str = ""
    role: str = ""
    level: str = ""
    start_month: str = ""  # YYYY-MM
    end_month: str = ""  # YYYY-MM; empty: 至今
    description: str = ""


class ResumeMoveIn(Schema):
    direction: Literal["up", "down"]


class ResumeSettingsIn(Schema):
    self_evaluation: str | None = None  # omitted: unchanged
    discoverable: bool | None = None  # 允许已认证单位查找我的简历; omitted: unchanged


class ResumeSnapshotItem(Schema):
    title: str
    role: str
    level: str
    start_month: str
    end_month: str
    description: str


class ResumeSnapshotSection(Schema):
    key: str
    label: str
    items: list[ResumeSnapshotItem]


class ResumeEmployerOut(Schema):
    id: int
    basic: ResumeBasicOut  # phone and email masked
    sections: list[ResumeSnapshotSection]
    self_evaluation: str
    updated_at: datetime


class ResumeSearchRow(Schema):
    id: int
    name: str
    gender: str
    education_level: str
    school: str
    major: str
    cohort: int
    updated_at: datetime


class ResumeSearchPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[ResumeSearchRow]


def _item_out(item) -> dict:
    return {"id": item.pk, "section": item.section, "section_label": SECTIONS[item.section].label,
            "position": item.position, **{name: getattr(item, name) for name in ITEM_COLUMNS},
            "period": period_text(item)}


def _mine(request) -> dict:
    graduate = own_graduate(request.user)
    resume = own_resume(request.user)
    items = own_items(request.user)
    basic = resume_basic(graduate)
    return {
        "basic": basic,
        "sections": [{"key": key, "label": spec.label,
                      "items": [_item_out(i) for i in items if i.section == key]} for key, spec in SECTIONS.items()],
        "self_evaluation": resume.self_evaluation if resume else "",
        "discoverable": bool(resume and resume.discoverable),
        "updated_at": resume.updated_at if resume else None,
        "completeness": resume_completeness(resume, items, basic=basic),
        "state": resume_visibility_state(resume).as_dict(),
    }


def _item_data(payload: ResumeItemIn) -> dict:
    return {name: getattr(payload, name) for name in ITEM_COLUMNS}


@router.get("/mine", response=ResumeMineOut, summary="毕业生本人的简历：基本信息（来自生源）、各栏目条目、完整度、查找设置")
def my_resume(request):
    return _mine(request)


@router.post("/items", response={201: ResumeItemOut},
             summary="新增简历条目（section 为栏目；年月格式 YYYY-MM，结束年月为空表示至今；每栏目最多20条）")
def create_item(request, payload: ResumeItemIn):
    own_graduate(request.user)
    item = services.resume_item_save(actor=request.user, section=payload.section, data=_item_data(payload))
    return Status(201, _item_out(item))


@router.put("/items/{item_id}", response=ResumeItemOut, summary="修改本人的简历条目（栏目不变）")
def update_item(request, item_id: int, payload: ResumeItemIn):
    item = own_item_get(actor=request.user, pk=item_id)
    saved = services.resume_item_save(actor=request.user, item=item, section=payload.section or None,
                                      data=_item_data(payload))
    return _item_out(saved)


@router.delete("/items/{item_id}", response={204: None}, summary="删除本人的简历条目")
def delete_item(request, item_id: int):
    item = own_item_get(actor=request.user, pk=item_id)
    services.resume_item_delete(actor=request.user, item=item)
    return Status(204, None)


@router.post("/items/{item_id}/move", response=ResumeMineOut, summary="在栏目内上移或下移一条（direction: up / down）")
def move_item(request, item_id: int, payload: ResumeMoveIn):
    item = own_item_get(actor=request.user, pk=item_id)
    services.resume_item_move(actor=request.user, item=item, direction=payload.direction)
    return _mine(request)


@router.patch("/settings", response=ResumeMineOut, summary="自我评价与“允许已认证单位查找我的简历”（省略的字段不变）")
def update_settings(request, payload: ResumeSettingsIn):
    own_graduate(request.user)
    services.resume_update(actor=request.user, self_evaluation=payload.self_evaluation,
                           discoverable=payload.discoverable)
    return _mine(request)


@router.get("/pdf", summary="下载本人简历的PDF文件（简历-姓名.pdf）")
def my_resume_pdf(request):
    graduate = own_graduate(request.user)
    return resume_pdf_download(actor=request.user, graduate=graduate)


@router.get("/employer/search", response=ResumeSearchPage,
            summary="用人单位（已认证）：人才查找——允许查找的毕业生简历（school_id、education_level、major 专业关键词）")
def search_resumes(request, school_id: OptionalId = None, education_level: str = "", major: str = "",
                   page: PageNumber = 1, page_size: PageSize = 20):
    page, page_size, _ = api_page_bounds(page, page_size)
    qs = resumes_search(actor=request.user, filters=ResumeSearch(
        school_id=school_id, education_level=education_level.strip()[:4], major=major))
    listed = bounded_api_page(qs, page=page, page_size=page_size)
    levels, genders = code_labels("education_level", "employment-xldm"), code_labels("gender")
    items = [{"id": r.pk, "name": r.graduate.name, "gender": genders.get(r.graduate.gender_code, ""),
              "education_level": levels.get(r.graduate.education_level_code, ""),
              "school": r.graduate.school.name, "major": r.graduate.major.name, "cohort": r.graduate.cohort,
              "updated_at": r.updated_at} for r in listed]
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next,
            "page": page, "page_size": page_size, "items": items}


@router.get("/employer/{resume_id}", response=ResumeEmployerOut,
            summary="用人单位（已认证）：查看允许查找的简历（联系电话和邮箱隐藏，投递后可见）")
def employer_resume(request, resume_id: int):
    resume = discoverable_resume_get(actor=request.user, pk=resume_id)
    snapshot = employer_resume_view(resume_snapshot(resume.graduate))
    return {"id": resume.pk, "basic": snapshot["basic"], "sections": snapshot["sections"],
            "self_evaluation": snapshot["self_evaluation"], "updated_at": resume.updated_at}
