"""Shared helpers for the 档案转寄 tests: valid data, registered records, workbooks."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from apps.archives import services
from apps.reference.models import Division
from tests import factories as f


def valid(**overrides) -> dict:
    data = {
        "receiving_unit_name": "蜀山区人才服务中心", "receiving_department": "档案室", "address_division": "340104",
        "street_address": "长江西路100号", "post_code": "230031", "contact_person": "陈老师",
        "contact_phone": "0551-65123456", "transfer_method": "ems", "accepts_archive": True,
        "accepts_household": False, "household_address": "", "deferred": False, "deferred_reason": "",
    }
    data.update(overrides)
    return data


def register(graduate, **overrides):
    """A registered record, saved by the graduate through the service."""
    return services.archive_save(actor=f.graduate_user(graduate), graduate=graduate, data=valid(**overrides))


def send(world, transfer, number="EA123456789CN"):
    return services.archive_set_tracking(actor=world.school_admin, transfers_and_numbers=[(transfer, number)])


def workbook_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def tracking_xlsx(rows, headers=("学号", "快递单号")) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def shushan(world):
    """The world graduate with 生源所在地 蜀山区 (340104)."""
    g = world.graduate
    g.origin_division = Division.objects.get(code="340104")
    g.save(update_fields=["origin_division"])
    return g


@pytest.fixture
def me(world, api_client):
    api_client.login_as(world.graduate_user)
    return api_client


@pytest.fixture
def bearer():
    """A plain client for multipart API calls with a bearer token."""

    def post(user, path, data):
        from apps.accounts.services import api_token_issue

        return Client().post(f"/api/v1{path}", data, HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user)}")

    return post
