from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


def posting_data(**overrides) -> dict:
    data = {
        "title": "软件工程师", "category_code": "13", "openings": 3, "education_codes": ["231"],
        "majors_text": "计算机类相关专业", "place_codes": ["340104"], "salary_min": 6000, "salary_max": 9000,
        "description": "负责后端开发。", "contact_name": "王经理", "contact_phone": "0551-12345678",
        "deadline": (timezone.localdate() + timedelta(days=30)).isoformat(), "channel": "province",
    }
    data.update(overrides)
    return data


@pytest.fixture
def patch_json(client, api_client):
    def patch(path, data):
        return client.patch(f"/api/v1{path}", data, content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {api_client.token}")
    return patch
