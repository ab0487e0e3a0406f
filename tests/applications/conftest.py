from __future__ import annotations

import pytest

from tests.applications.builders import make_posting, make_resume


@pytest.fixture
def posting(world):
    """Published, in world.school's channel, by world.employer (verified by the province)."""
    return make_posting(world.employer, world.school)


@pytest.fixture
def ready(world):
    """world.graduate with a phone and a resume that may be sent."""
    world.graduate.phone = "13812345678"
    world.graduate.email = "xiaoming@example.com"
    world.graduate.save()
    make_resume(world.graduate)
    return world.graduate
