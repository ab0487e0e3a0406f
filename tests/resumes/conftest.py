"""Helpers of the resume tests: items added through the real API, as a phone client would."""

from __future__ import annotations

import pytest

EDUCATION = {"section": "education", "title": "安徽示例大学", "role": "软件工程", "level": "本科",
             "start_month": "2022-09", "end_month": "2026-06", "description": "主修数据结构、操作系统"}
INTERNSHIP = {"section": "experience", "title": "合肥示例科技有限公司", "role": "后端开发实习生",
              "start_month": "2025-07", "end_month": "2025-09", "description": "负责接口开发"}
SKILL = {"section": "software", "title": "办公软件", "level": "熟练"}


@pytest.fixture
def graduate_api(world, api_client):
    return api_client.login_as(world.graduate_user)


def add(api, data, **changes):
    response = api.post("/resumes/items", {**data, **changes})
    assert response.status_code == 201, response.content.decode()
    return response.json()
