"""Which fields of a graduate's record exist, who may change them, how a value is checked
and how it is shown (masked) in the audit trail. One registry, used by the 生源 form, the
contact form, the API and the corrections workflow (C3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.core.errors import DomainError
from apps.core.text import mask_id_number, mask_phone, normalise, normalise_id_number, normalise_name

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    group: str  # 学籍信息 / 基本信息 / 联系方式 / 生源
    editable_by_graduate: bool
    clean: Callable[[Any, Any], Any]  # (value, graduate) -> python value, raises DomainError
    display: Callable[[Any], str] = lambda v: "" if v in (None, "") else str(v)


def _text(max_len: int, required: bool = False):
    def clean(value, graduate):
        value = (str(value) if value is not None else "").strip()
        if required and not value:
            raise DomainError("必填", code="required")
        if len(value) > max_len:
            raise DomainError(f"不超过{max_len}个字")
        return value

    return clean


def clean_mobile(value, graduate, *, required=False):
    value = normalise(value)
    if not value:
        if required:
            raise DomainError("本人联系电话必填")
        return ""
    if not MOBILE.match(value):
        raise DomainError("请输入11位中国大陆手机号码")
    return value


def clean_family_phone(value, graduate):
    value = normalise(value)
    if value and not (MOBILE.match(value) or LANDLINE.match(value)):
        raise DomainError("请输入正确的手机号码或固定电话（如0551-12345678）")
    return value


def clean_email(value, graduate):
    value = normalise(value)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise DomainError("电子邮箱格式不正确") from None
    return value


def clean_origin_division(value, graduate):
    from apps.reference.models import Division

    code = normalise(value)
    if not code:
        raise DomainError("请选择生源所在地，并维护到具体的区县")
    division = Division.objects.filter(code=code, is_current=True).first()
    if division is None:
        raise DomainError("生源所在地代码不存在")
    if not division.is_county_level:
        raise DomainError("生源所在地须维护到具体的区县，不能只选省或市")
    return division


def _code(table: str, scheme: str = ""):
    def clean(value, graduate):
        from apps.reference.selectors import code_labels

        value = normalise(value)
        labels = code_labels(table, scheme)
        if value in labels:
            return value
        by_name = {name: code for code, name in labels.items()}
        if value in by_name:
            return by_name[value]
        raise DomainError("不是有效的选项")

    return clean


def _code_display(table: str, scheme: str = ""):
    def display(value):
        from apps.reference.selectors import code_label

        return f"{code_label(table, value, scheme)}" if value else ""

    return display


def clean_id_number(value, graduate):
    from stdnum.cn import ric

    value = normalise_id_number(value)
    if not ric.is_valid(value):
        raise DomainError("身份证号不正确")
    return value


def clean_name(value, graduate):
    value = normalise_name(value)
    if not value or len(value) > 50:
        raise DomainError("姓名不正确")
    return value


def clean_date(value, graduate):
    if isinstance(value, date):
        return value
    text = normalise(value).replace("/", "-").replace(".", "-")
    try:
        if re.match(r"^\d{4}-\d{1,2}$", text):
            year, month = text.split("-")
            return date(int(year), int(month), 1)
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError("日期格式应为YYYY-MM-DD") from None


def clean_college(value, graduate):
    from apps.organisations.models import College

    college = College.objects.filter(school_id=graduate.school_id, pk=_int(value)).first() or College.objects.filter(
        school_id=graduate.school_id, name=normalise(value)).first()
    if college is None:
        raise DomainError("院系不存在")
    return college


def clean_major(value, graduate):
    from apps.organisations.models import Major

    major = Major.objects.filter(school_id=graduate.school_id, pk=_int(value)).first() or Major.objects.filter(
        school_id=graduate.school_id, name=normalise(value)).first()
    if major is None:
        raise DomainError("专业不存在")
    return major


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _division_display(value):
    return f"{value.code} {value.full_name}" if value else ""


def _obj_display(value):
    return value.name if value else ""


def _date_display(value):
    return value.isoformat() if value else ""


SPECS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in [
        # 生源 and contacts: the graduate maintains these
        FieldSpec("origin_division", "生源所在地", "生源", True, clean_origin_division, _division_display),
        FieldSpec("phone", "本人联系电话", "联系方式", True, lambda v, g: clean_mobile(v, g, required=True), mask_phone),
        FieldSpec("email", "电子邮箱", "联系方式", True, clean_email),
        FieldSpec("home_address", "家庭地址", "联系方式", True, _text(200)),
        FieldSpec("family_contact_name", "家庭联系人", "联系方式", True, _text(50)),
        FieldSpec("family_contact_relation", "与本人关系", "联系方式", True, _text(20)),
        FieldSpec("family_contact_phone", "家庭联系电话", "联系方式", True, clean_family_phone, mask_phone),
        # roster fields: read-only (grey) for the graduate, changed through a correction (C3)
        FieldSpec("name", "姓名", "基本信息", False, clean_name),
        FieldSpec("gender_code", "性别", "基本信息", False, _code("gender"), _code_display("gender")),
        FieldSpec("id_number", "身份证号", "基本信息", False, clean_id_number, mask_id_number),
        FieldSpec("ethnicity_code", "民族", "基本信息", False, _code("ethnicity"), _code_display("ethnicity")),
        FieldSpec("political_status_code", "政治面貌", "基本信息", False, _code("political_status"),
                  _code_display("political_status")),
        FieldSpec("urban_rural_code", "城乡生源", "基本信息", False, _code("urban_rural"), _code_display("urban_rural")),
        FieldSpec("hardship_code", "困难生类别", "基本信息", False, _code("hardship"), _code_display("hardship")),
        FieldSpec("normal_student_code", "师范生类别", "学籍信息", False, _code("normal_student"),
                  _code_display("normal_student")),
        FieldSpec("exam_number", "考生号", "学籍信息", False, _text(30)),
        FieldSpec("college", "院系", "学籍信息", False, clean_college, _obj_display),
        FieldSpec("major", "专业", "学籍信息", False, clean_major, _obj_display),
        FieldSpec("education_level_code", "学历层次", "学籍信息", False, _code("education_level", "employment-xldm"),
                  _code_display("education_level", "employment-xldm")),
        FieldSpec("training_mode_code", "培养方式", "学籍信息", False, _code("training_mode"),
                  _code_display("training_mode")),
        FieldSpec("sponsor_unit", "委培单位", "学籍信息", False, _text(200)),
        FieldSpec("study_form", "学习形式", "学籍信息", False, _text(20)),
        FieldSpec("enrolment_date", "入学年月", "学籍信息", False, clean_date, _date_display),
        FieldSpec("graduation_date", "毕业日期", "学籍信息", False, clean_date, _date_display),
    ]
}

GRADUATE_EDITABLE = frozenset(name for name, spec in SPECS.items() if spec.editable_by_graduate)
CONTACT_FIELDS = ("phone", "email", "home_address", "family_contact_name", "family_contact_relation",
                  "family_contact_phone")
READ_ONLY_FIELDS = frozenset(name for name, spec in SPECS.items() if not spec.editable_by_graduate)


def display_value(field: str, graduate) -> str:
    """The current value as shown to staff and in the audit trail (personal numbers masked)."""
    spec = SPECS[field]
    return spec.display(getattr(graduate, field))
