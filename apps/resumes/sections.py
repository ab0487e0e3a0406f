"""What each resume section (栏目) asks for, declared once: which ResumeItem columns it uses,
their Chinese labels, which are required, their lengths, and the month rules. The form, the
service's validation, the page and the API read it from here.

Months are ``YYYY-MM``; an empty end month reads 至今 (sections with a period only); the start
may not come after the end. A section holds at most ``MAX_ITEMS_PER_SECTION`` items.

Basic information (姓名, 性别, 学历, 院校/院系/专业, 届别, 政治面貌, 联系电话, 邮箱) is not a section:
it is read from 生源 (apps/resumes/snapshot.resume_basic) and changed where 生源 is changed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apps.core.errors import DomainError
from apps.resumes.models import ResumeSection

MAX_ITEMS_PER_SECTION = 20
MAX_SELF_EVALUATION = 1000
MAX_DESCRIPTION = 1000
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
EARLIEST_YEAR = 1950
LATEST_YEAR = 2100
# the columns of ResumeItem a section may fill, in form order
ITEM_COLUMNS = ("title", "role", "level", "start_month", "end_month", "description")
PRESENT = "至今"


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the ResumeItem column
    label: str
    required: bool = False
    max_length: int = 100
    kind: str = "text"  # text | month | textarea
    placeholder: str = ""

    @property
    def is_month(self) -> bool:
        return self.kind == "month"


@dataclass(frozen=True)
class SectionSpec:
    key: str
    label: str
    fields: tuple[FieldSpec, ...]
    add_label: str
    hint: str = ""

    @property
    def has_period(self) -> bool:
        """Start and end month: an empty end reads 至今."""
        names = {f.name for f in self.fields}
        return "start_month" in names and "end_month" in names

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


def _start(label="开始年月", required=True):
    return FieldSpec("start_month", label, required, 7, "month", "如 2022-09")


def _end(label="结束年月"):
    return FieldSpec("end_month", label, False, 7, "month", "不填表示至今")


def _description(label, placeholder=""):
    return FieldSpec("description", label, False, MAX_DESCRIPTION, "textarea", placeholder)


SECTIONS: dict[str, SectionSpec] = {s.key: s for s in (
    SectionSpec(ResumeSection.EDUCATION, ResumeSection.EDUCATION.label, (
        FieldSpec("title", "学校名称", True, 100, placeholder="如 安徽示例大学"),
        FieldSpec("role", "专业", True, 100, placeholder="如 软件工程"),
        FieldSpec("level", "学历", False, 50, placeholder="如 本科"),
        _start("入学年月"), _end("毕业年月"),
        _description("主修课程与成绩", "如 主修课程、成绩排名"),
    ), "添加教育经历"),
    SectionSpec(ResumeSection.EXPERIENCE, ResumeSection.EXPERIENCE.label, (
        FieldSpec("title", "单位名称", True, 100),
        FieldSpec("role", "职位", True, 100, placeholder="如 后端开发实习生"),
        _start(), _end(),
        _description("工作内容", "做了什么，取得了什么结果"),
    ), "添加实习或工作经历"),
    SectionSpec(ResumeSection.PROJECT, ResumeSection.PROJECT.label, (
        FieldSpec("title", "项目名称", True, 100),
        FieldSpec("role", "担任角色", False, 100, placeholder="如 负责人、开发"),
        _start(required=False), _end(),
        _description("项目描述"),
    ), "添加项目经历"),
    SectionSpec(ResumeSection.AWARD, ResumeSection.AWARD.label, (
        FieldSpec("title", "奖项名称", True, 100),
        FieldSpec("level", "获奖级别", False, 50, placeholder="如 国家级、省级、校级"),
        _start("获奖年月", required=False),
        _description("说明"),
    ), "添加获奖情况"),
    SectionSpec(ResumeSection.LANGUAGE, ResumeSection.LANGUAGE.label, (
        FieldSpec("title", "语种", True, 100, placeholder="如 英语"),
        FieldSpec("level", "水平或证书成绩", False, 50, placeholder="如 大学英语六级 560分"),
        _description("说明"),
    ), "添加语言能力"),
    SectionSpec(ResumeSection.SOFTWARE, ResumeSection.SOFTWARE.label, (
        FieldSpec("title", "软件或编程语言", True, 100, placeholder="如 办公软件、编程语言"),
        FieldSpec("level", "熟练程度", False, 50, placeholder="如 熟练、精通"),
        _description("说明"),
    ), "添加计算机与软件技能"),
    SectionSpec(ResumeSection.SKILL, ResumeSection.SKILL.label, (
        FieldSpec("title", "技能名称", True, 100, placeholder="如 驾驶、摄影"),
        FieldSpec("level", "水平", False, 50),
        _description("说明"),
    ), "添加其他技能"),
    SectionSpec(ResumeSection.CERTIFICATE, ResumeSection.CERTIFICATE.label, (
        FieldSpec("title", "证书名称", True, 100, placeholder="如 计算机技术与软件专业技术资格"),
        FieldSpec("role", "发证机构", False, 100),
        FieldSpec("level", "等级", False, 50),
        _start("取得年月", required=False),
    ), "添加证书"),
)}


def section_spec(key: str) -> SectionSpec:
    spec = SECTIONS.get(key or "")
    if spec is None:
        raise DomainError("请选择简历栏目", code="invalid_section", fields={"section": "请选择简历栏目"})
    return spec


def _month(value: str, label: str, name: str) -> str:
    match = MONTH_RE.match(value)
    month_ok = match and 1 <= int(match.group(2)) <= 12 and EARLIEST_YEAR <= int(match.group(1)) <= LATEST_YEAR
    if not month_ok:
        message = f"{label}应为年-月，如 2022-09"
        raise DomainError(message, code="invalid_month", fields={name: message})
    return value


def clean_item(section: str, data: dict) -> dict:
    """The section's columns from `data`, trimmed and checked; every other column blank.
    Raises DomainError naming the first wrong field (Chinese message, `fields` for forms)."""
    spec = section_spec(section)
    cleaned = dict.fromkeys(ITEM_COLUMNS, "")
    errors: dict[str, str] = {}
    for f in spec.fields:
        raw = data.get(f.name)
        text = "" if raw is None else str(raw).strip()
        if f.kind != "textarea":
            text = " ".join(text.split())  # one line: no stray newlines or tabs in a title
        else:
            text = text.replace("\r\n", "\n")
        if not text:
            if f.required:
                errors[f.name] = f"请填写{f.label}"
            continue
        if len(text) > f.max_length:
            errors[f.name] = f"{f.label}不超过{f.max_length}个字"
            continue
        if f.is_month:
            try:
                text = _month(text, f.label, f.name)
            except DomainError as exc:
                errors[f.name] = exc.fields[f.name]
                continue
        cleaned[f.name] = text
    if not errors and spec.has_period and cleaned["start_month"] and cleaned["end_month"]:
        if cleaned["end_month"] < cleaned["start_month"]:  # YYYY-MM compares as text
            start, end = spec.field("start_month").label, spec.field("end_month").label
            errors["end_month"] = f"{end}不能早于{start}"
    if not errors and spec.has_period and cleaned["end_month"] and not cleaned["start_month"]:
        errors["start_month"] = f"请填写{spec.field('start_month').label}"
    if errors:
        first = next(iter(errors.values()))
        raise DomainError(first, code="invalid_item", fields=errors)
    return cleaned


def clean_self_evaluation(value) -> str:
    text = ("" if value is None else str(value)).strip().replace("\r\n", "\n")
    if len(text) > MAX_SELF_EVALUATION:
        message = f"自我评价不超过{MAX_SELF_EVALUATION}个字"
        raise DomainError(message, code="too_long", fields={"self_evaluation": message})
    return text


def period_text(item, section: str = "") -> str:
    """2022-09 – 至今 / 2022-09 – 2026-06 / 2024-05 (a single month); '' without months.
    `item` is a ResumeItem or a snapshot item (a dict, whose section is passed)."""
    def get(name):
        return (item.get(name) if isinstance(item, dict) else getattr(item, name, "")) or ""

    start, end = get("start_month"), get("end_month")
    section = section or get("section")
    if not start:
        return ""
    spec = SECTIONS.get(section or "")
    if spec is not None and not spec.has_period:
        return start
    return f"{start} – {end or PRESENT}"
