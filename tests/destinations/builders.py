"""Valid data for every destination field set, image files and ready-made records."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

from PIL import Image
from stdnum.cn import uscc

from apps.destinations.models import Destination, DestinationStatus, ProofImage

FORMS = json.loads((Path(__file__).resolve().parents[2] / "reference_data" / "destination_forms.json").read_text("utf-8"))
SELECTABLE = sorted(code for code, spec in FORMS["categories"].items() if spec.get("selectable"))


def credit_code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


VALID_CREDIT_CODE = credit_code("91340100MA2N8Q7K0")
LETTER_FIRST_CREDIT_CODE = credit_code("Y1340100MA2N8Q7K0")  # GB 32100 allows it; stdnum does not


def _first_code(table: str) -> str:
    from apps.reference.selectors import code_labels

    return next(iter(code_labels(table)))


def field_value(name: str) -> str:
    """A valid value for one Destination column (codes from the loaded code tables)."""
    from apps.destinations.catalog import CODE_FIELDS

    if name in CODE_FIELDS:
        return _first_code(CODE_FIELDS[name][0])
    return {
        "unit_name": "合肥示例科技有限公司",
        "credit_code": VALID_CREDIT_CODE,
        "unit_division": "340104",
        "unit_address": "安徽省合肥市蜀山区黄山路100号",
        "sign_date": "2026-05-20",
        "unit_contact": "张经理",
        "unit_contact_phone": "0551-62901234",
        "description": "从事平面设计与插画创作，通过网络平台接单",
        "study_school": "中国科学技术大学",
        "study_major": "计算机科学与技术",
        "country_region": "英国",
        "abroad_school_cn": "牛津大学",
        "abroad_school_foreign": "University of Oxford",
        "abroad_major_cn": "计算机科学",
        "abroad_major_foreign": "Computer Science",
    }[name]


def valid_data(code: str) -> dict:
    """The API body of a complete registration of one category."""
    from apps.destinations import catalog

    category = catalog.category(code)
    return {"category_code": code, **{f.field: field_value(f.field) for f in category.fields}}


def jpeg_bytes(width: int = 640, height: int = 480, color=(200, 120, 40), exif: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), color)
    buffer = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "TestCamera"  # Make
        data[0x0132] = "2026:05:20 10:00:00"
        image.save(buffer, "JPEG", quality=90, exif=data.tobytes())
    else:
        image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def pixel_bomb_png() -> bytes:
    """20000 × 20000 pixels (400 megapixels) in a few hundred KB: mode "1" compresses."""
    image = Image.new("1", (20_000, 20_000), 0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def make_destination(graduate, *, code: str = "11", status: str = DestinationStatus.SUBMITTED, images: int = 1,
                     submitted_on: date | None = None, **fields) -> Destination:
    """A record written straight to the database (for lists and counts, not for rules)."""
    from django.utils import timezone

    submitted_at = None
    if status != DestinationStatus.DRAFT:
        submitted_at = timezone.make_aware(timezone.datetime.combine(submitted_on, timezone.datetime.min.time())) \
            if submitted_on else timezone.now()
    destination = Destination.objects.create(
        graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id, category_code=code,
        status=status, unit_name=fields.pop("unit_name", "合肥示例科技有限公司"), submitted_at=submitted_at, **fields,
    )
    for n in range(images):
        ProofImage.objects.create(destination=destination, file=f"proof/test/{destination.pk}-{n}.jpg", width=10,
                                  height=10, size=100)
    return destination
