from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def api(api_client, world):
    return api_client.login_as(world.graduate_user)


@pytest.fixture
def other_employer(world):
    """A second verified employer in another industry (教育)."""
    return f.make_employer(credit_code="91340100MA2N0YYY02", name="合肥育才教育咨询有限公司")


@pytest.fixture
def ids_of():
    def read(response):
        assert response.status_code == 200, response.content.decode()
        return [row["id"] for row in response.json()["items"]]

    return read
