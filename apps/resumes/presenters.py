"""What a person reads about a resume, decided once for the graduate's page, the preview, the
PDF, the employers' pages and the API:

- `resume_completeness(resume, items, basic=…)`: the percent and the parts still missing;
- `resume_visibility_state(resume)`: the 允许已认证单位查找我的简历 state (title, text, tone,
  what the graduate may do next);
- `resume_sections(items)`: every section with its items, in order, for the edit page;
- `employer_resume_view(snapshot)`: the snapshot as an employer reads it (contact masked:
  it becomes visible only through an application)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.urls import reverse

from apps.core.text import mask_phone
from apps.resumes.models import ResumeSection
from apps.resumes.sections import MAX_ITEMS_PER_SECTION, SECTIONS

# The parts of a complete resume, each worth the same share of 100 %.
COMPLETENESS_PARTS = (
    ("contact", "联系方式（电话或邮箱）"),
    ("education", "教育经历"),
    ("experience", "实习、工作或项目经历"),
    ("skills", "技能（语言、计算机或其他）"),
    ("self_evaluation", "自我评价"),
)
_PART_SECTIONS = {
    "education": {ResumeSection.EDUCATION},
    "experience": {ResumeSection.EXPERIENCE, ResumeSection.PROJECT},
    "skills": {ResumeSection.LANGUAGE, ResumeSection.SOFTWARE, ResumeSection.SKILL},
}


def resume_completeness(resume, items, *, basic: dict | None = None) -> dict:
    """{"percent": 60, "missing": ["技能（语言、计算机或其他）", "自我评价"], "parts": [{key, label, done}]}.
    `basic` is resume_basic(graduate) (the contact comes from 生源); without it, the resume's
    graduate is read."""
    if basic is None:
        from apps.resumes.snapshot import resume_basic

        basic = resume_basic(resume.graduate) if resume is not None else {}
    sections = {getattr(i, "section", None) or i.get("section") for i in items} if items else set()
    done = {
        "contact": bool(basic.get("phone") or basic.get("email")),
        "self_evaluation": bool(resume is not None and resume.self_evaluation.strip()),
        **{key: bool(sections & wanted) for key, wanted in _PART_SECTIONS.items()},
    }
    parts = [{"key": key, "label": label, "done": done[key]} for key, label in COMPLETENESS_PARTS]
    finished = sum(1 for p in parts if p["done"])
    return {"percent": round(100 * finished / len(parts)), "missing": [p["label"] for p in parts if not p["done"]],
            "parts": parts}


@dataclass(frozen=True)
class ResumeAction:
    code: str
    label: str
    url: str
    method: str = "post"
    value: str = ""  # the form value the action posts

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "url": self.url, "method": self.method, "value": self.value}


@dataclass(frozen=True)
class ResumeState:
    code: str
    title: str
    text: str
    tone: str  # good | warn | (empty: neutral)
    actions: tuple[ResumeAction, ...] = ()

    def as_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "text": self.text, "tone": self.tone,
                "actions": [a.as_dict() for a in self.actions]}


def resume_visibility_state(resume) -> ResumeState:
    """允许已认证单位查找我的简历: off by default."""
    url = reverse("resume-settings")
    if resume is not None and resume.discoverable:
        return ResumeState(
            "discoverable", "已允许已认证单位查找",
            "通过认证的用人单位可以在人才查找中看到您的简历；联系电话和邮箱对单位隐藏，"
            "只有您投递简历后，该单位才能看到完整的联系方式。",
            "good", (ResumeAction("hide", "关闭查找", url, value="0"),))
    return ResumeState(
        "hidden", "未允许单位查找",
        "您的简历只在您投递职位时发给该单位。打开后，通过认证的用人单位可以查找到您的简历（联系方式隐藏）。",
        "", (ResumeAction("show", "允许已认证单位查找我的简历", url, value="1"),))


def resume_sections(items) -> list[dict]:
    """Every section (also empty ones) with its items in order, for the edit page."""
    by_section: dict[str, list] = {key: [] for key in SECTIONS}
    for item in items:
        by_section.setdefault(item.section, []).append(item)
    return [{"spec": spec, "key": key, "label": spec.label, "items": by_section[key],
             "full": len(by_section[key]) >= MAX_ITEMS_PER_SECTION} for key, spec in SECTIONS.items()]


def mask_email(value: str | None) -> str:
    """zh***@example.com: the first character and the domain."""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return local[:1] + "***"
    return f"{local[:1]}***@{domain}"


def employer_resume_view(snapshot: dict) -> dict:
    """The snapshot an employer reads in 人才查找: phone and e-mail masked."""
    view = copy.deepcopy(snapshot)
    basic = view.get("basic", {})
    basic["phone"] = mask_phone(basic.get("phone"))
    basic["email"] = mask_email(basic.get("email"))
    return view
