"""Shared builders for online-signing tests."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from stdnum.cn import uscc

from apps.signing import services as signing

PIN = "246810"  # world.graduate's PIN (tests/conftest.py)


def credit_code(body: str = "91340100MA2N8Q7K0") -> str:
    return body + uscc.calc_check_digit(body)


def png(name: str = "cert.png", size=(320, 200), color=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def terms(**overrides) -> dict:
    data = {
        "unit_name": "合肥示例科技有限公司", "credit_code": credit_code(), "unit_nature_code": "39",
        "industry_code": "34", "unit_division": "340104", "unit_address": "合肥市蜀山区示例路88号",
        "contact_person": "张经理", "contact_phone": "0551-62901234", "position_name": "软件工程师",
        "position_category_code": "13", "work_place": "合肥市蜀山区", "contract_years": "3",
        "probation_type": "probation", "probation_months": "3", "monthly_pay": "9000",
        "social_insurance": "五险一金", "breach_penalty": "5000", "breach_conditions": "毕业生无正当理由不报到",
        "accepts_archive": "1", "accepts_household": "0", "remarks": "提供员工宿舍",
    }
    data.update(overrides)
    return data


def make_ready(graduate):
    """生源 confirmed, phone set: the graduate may sign."""
    graduate.origin_division_id = "340104"
    graduate.phone = "13812345678"
    graduate.origin_confirmed_at = timezone.now() - timedelta(days=1)
    graduate.save()
    return graduate


def invite(graduate, user, **overrides):
    card, _ = signing.card_issue(actor=user)
    invitation, token = signing.invitation_create(card=card, data=terms(**overrides), certificate=png(),
                                                  client_address="10.1.1.1")
    return invitation, token


def accept(user, invitation, pin=PIN, seconds_later=5):
    opened = timezone.now()
    signing.acceptance_open(actor=user, invitation=invitation, now=opened)
    return signing.acceptance_confirm(actor=user, invitation=invitation, pin=pin, client_address="10.2.2.2",
                                      now=opened + timedelta(seconds=seconds_later))
