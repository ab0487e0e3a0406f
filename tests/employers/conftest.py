from __future__ import annotations

import pytest
from stdnum.cn import uscc

from tests import factories as f
from tests.signing.helpers import png


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    return f.use_temporary_media(settings, tmp_path)


def code(body: str = "91340100MA2NREG1X") -> str:
    return body + uscc.calc_check_digit(body)


def registration(world, **overrides) -> dict:
    data = {
        "username": "hr-zhang", "password": "Anhui#2026pass", "credit_code": code(), "name": "合肥新创软件有限公司",
        "nature_code": "39", "industry_code": "34", "division": "340104", "address": "合肥市蜀山区望江西路8号",
        "size": "50-299", "contact_name": "张经理", "contact_mobile": "13955510001",
        "verifier": f"province:{world.province.pk}", "introduction": "专注教育软件。",
    }
    data.update(overrides)
    return data


def licence():
    return png("licence.png", size=(640, 420))
