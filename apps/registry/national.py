"""The national record shape (全国毕业去向登记系统 / 就业方案 2024届 layout), declared once.

Every place that speaks to the registry or imitates its files uses this list: the outbox payload
(``registry_record``), the stand-in's validation, the graduate's comparison view (sections,
labels, which page fixes a field) and the 就业方案 export/import (``EXPORT_HEADERS``).

Values are strings ('' when empty). A column whose national name ends in 代码 holds the code; a
column ending in 名称 (or naming a place, a category or a unit) holds the name; the other coded
single columns (性别, 政治面貌, 城乡生源, 学历层次, 培养方式) hold the code as a two-digit (or
scheme) string, never an int ("01", not "1": DOMAIN.md). Dates are ISO ``YYYY-MM-DD`` (入学年月
``YYYY-MM``). No code value appears in logic here; names come from the reference snapshot.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from apps.reference.selectors import code_label, division_ref

# sections of the comparison view (全国毕业去向登记系统数据查看)
BASIC, DESTINATION, ARCHIVE = "basic", "destination", "archive"
SECTION_TITLES = {BASIC: "基本信息", DESTINATION: "毕业去向信息", ARCHIVE: "档案转寄信息"}

# where a person fixes a differing field: the page name (url name) — or 去纠错 (correction) for
# what the graduate may not edit
FIX_ORIGIN, FIX_CONTACT, FIX_DESTINATION, FIX_ARCHIVE, FIX_CORRECTION = (
    "origin", "contact", "destination", "archive", "correction")


@dataclass(frozen=True)
class NationalField:
    key: str  # the national column name, used as the record key and the export header
    section: str
    fix: str
    getter: Callable[..., str]
    exported: bool = True  # part of the 就业方案 export layout
    personal: bool = False  # masked in logs/staff views (phone numbers)


def _s(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _g(attr: str) -> Callable[..., str]:
    return lambda g, d, a: _s(getattr(g, attr, ""))


def _d(attr: str) -> Callable[..., str]:
    return lambda g, d, a: _s(getattr(d, attr, "")) if d is not None else ""


def _a(attr: str) -> Callable[..., str]:
    return lambda g, d, a: _s(getattr(a, attr, "")) if a is not None else ""


def _flag(attr: str) -> Callable[..., str]:
    return lambda g, d, a: ("1" if getattr(a, attr) else "0") if a is not None else ""


def _label(table: str, code: str, scheme: str = "") -> str:
    return code_label(table, code, scheme) if code else ""


def _division_name(code: str | None) -> str:
    ref = division_ref(code) if code else None
    return ref.full_name if ref is not None else ""


def _enrolment_month(g, d, a) -> str:
    return g.enrolment_date.strftime("%Y-%m") if g.enrolment_date else ""


def _major(attr: str) -> Callable[..., str]:
    return lambda g, d, a: _s(getattr(g.major, attr, "")) if g.major_id else ""


def _d_label(attr: str, table: str) -> Callable[..., str]:
    return lambda g, d, a: _label(table, getattr(d, attr)) if d is not None else ""


def _transfer_method(g, d, a) -> str:
    return a.get_transfer_method_display() if a is not None and a.transfer_method else ""


F = NationalField
FIELDS: tuple[NationalField, ...] = (
    # 基本信息 (生源) — the 就业方案 layout's own order first
    F("学号", BASIC, FIX_CORRECTION, _g("student_number")),
    F("考生号", BASIC, FIX_CORRECTION, _g("exam_number")),
    F("姓名", BASIC, FIX_CORRECTION, _g("name")),
    F("性别", BASIC, FIX_CORRECTION, _g("gender_code")),
    F("出生日期", BASIC, FIX_CORRECTION, _g("birth_date")),
    F("生源地代码", BASIC, FIX_ORIGIN, _g("origin_division_id")),
    F("生源地名称", BASIC, FIX_ORIGIN, lambda g, d, a: _division_name(g.origin_division_id)),
    F("民族名称", BASIC, FIX_ORIGIN, lambda g, d, a: _label("ethnicity", g.ethnicity_code)),
    F("政治面貌", BASIC, FIX_ORIGIN, _g("political_status_code")),
    F("城乡生源", BASIC, FIX_ORIGIN, _g("urban_rural_code")),
    F("学历层次", BASIC, FIX_CORRECTION, _g("education_level_code")),
    F("专业名称", BASIC, FIX_CORRECTION, _major("name")),
    F("专业方向", BASIC, FIX_CORRECTION, lambda g, d, a: ""),  # not held by the platform yet
    F("专业代码", BASIC, FIX_CORRECTION, _major("code")),
    F("毕业年份", BASIC, FIX_CORRECTION, _g("cohort")),
    F("入学年月", BASIC, FIX_CORRECTION, _enrolment_month),
    F("毕业日期", BASIC, FIX_CORRECTION, _g("graduation_date")),
    F("培养方式", BASIC, FIX_CORRECTION, _g("training_mode_code")),
    F("委培单位", BASIC, FIX_CORRECTION, _g("sponsor_unit")),
    F("学习形式", BASIC, FIX_CORRECTION, _g("study_form")),
    # 毕业去向信息
    F("毕业去向类别代码", DESTINATION, FIX_DESTINATION, _d("category_code")),
    F("毕业去向", DESTINATION, FIX_DESTINATION, _d_label("category_code", "destination")),
    F("签约日期", DESTINATION, FIX_DESTINATION, _d("sign_date")),
    F("单位名称", DESTINATION, FIX_DESTINATION, _d("unit_name")),
    F("统一社会信用代码", DESTINATION, FIX_DESTINATION, _d("credit_code")),
    F("留学国家地区", DESTINATION, FIX_DESTINATION, _d("country_region")),
    F("留学院校中文名称", DESTINATION, FIX_DESTINATION, _d("abroad_school_cn")),
    F("留学院校外文名称", DESTINATION, FIX_DESTINATION, _d("abroad_school_foreign")),
    F("留学专业中文名称", DESTINATION, FIX_DESTINATION, _d("abroad_major_cn")),
    F("留学专业外文名称", DESTINATION, FIX_DESTINATION, _d("abroad_major_foreign")),
    F("单位性质代码", DESTINATION, FIX_DESTINATION, _d("unit_nature_code")),
    F("单位性质", DESTINATION, FIX_DESTINATION, _d_label("unit_nature_code", "unit_nature")),
    F("单位行业代码", DESTINATION, FIX_DESTINATION, _d("industry_code")),
    F("单位行业", DESTINATION, FIX_DESTINATION, _d_label("industry_code", "industry")),
    F("单位所在地代码", DESTINATION, FIX_DESTINATION, _d("unit_division_id")),
    F("单位所在地", DESTINATION, FIX_DESTINATION,
      lambda g, d, a: _division_name(d.unit_division_id) if d is not None else ""),
    F("单位地址", DESTINATION, FIX_DESTINATION, _d("unit_address")),
    F("工作职位类别代码", DESTINATION, FIX_DESTINATION, _d("position_category_code")),
    F("工作职位类别", DESTINATION, FIX_DESTINATION, _d_label("position_category_code", "position_category")),
    # 基本信息: contact (not in the 就业方案 layout; synced per the handbook's 联系方式登记)
    F("本人联系电话", BASIC, FIX_CONTACT, _g("phone"), exported=False, personal=True),
    F("电子邮箱", BASIC, FIX_CONTACT, _g("email"), exported=False),
    F("家庭地址", BASIC, FIX_CONTACT, _g("home_address"), exported=False),
    F("家庭联系人", BASIC, FIX_CONTACT, _g("family_contact_name"), exported=False),
    F("家庭联系电话", BASIC, FIX_CONTACT, _g("family_contact_phone"), exported=False, personal=True),
    # 档案转寄信息 (codes/archive_fields.csv names)
    F("档案接收单位名称", ARCHIVE, FIX_ARCHIVE, _a("receiving_unit_name"), exported=False),
    F("接收档案部门", ARCHIVE, FIX_ARCHIVE, _a("receiving_department"), exported=False),
    F("档案接收单位地址代码", ARCHIVE, FIX_ARCHIVE, _a("address_division_id"), exported=False),
    F("档案接收单位地址", ARCHIVE, FIX_ARCHIVE, _a("street_address"), exported=False),
    F("档案接收单位邮编", ARCHIVE, FIX_ARCHIVE, _a("post_code"), exported=False),
    F("档案接收联系人", ARCHIVE, FIX_ARCHIVE, _a("contact_person"), exported=False),
    F("档案接收联系电话", ARCHIVE, FIX_ARCHIVE, _a("contact_phone"), exported=False, personal=True),
    F("档案转递方式", ARCHIVE, FIX_ARCHIVE, _transfer_method, exported=False),
    F("是否接受档案", ARCHIVE, FIX_ARCHIVE, _flag("accepts_archive"), exported=False),
    F("是否接受户口", ARCHIVE, FIX_ARCHIVE, _flag("accepts_household"), exported=False),
    F("户口迁移地址", ARCHIVE, FIX_ARCHIVE, _a("household_address"), exported=False),
    F("是否缓寄", ARCHIVE, FIX_ARCHIVE, _flag("deferred"), exported=False),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
RECORD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
# 就业方案导出: exactly these headers in this order (DOMAIN.md, "The national export")
EXPORT_HEADERS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.exported)


def registry_record(graduate, destination=None, archive=None) -> dict[str, str]:
    """The graduate's whole record in the registry's shape. ``graduate`` should come with its
    major loaded; ``destination`` / ``archive`` are the graduate's rows or None."""
    return {f.key: f.getter(graduate, destination, archive) for f in FIELDS}


def graduate_key(graduate) -> str:
    """The graduate's identity at the registry: stable across corrections of name or student
    number (the platform's own id under the school's code), no personal number in it."""
    return f"{graduate.school.code}-{graduate.pk}"
