"""Every list of applications reads a constant number of queries whatever its length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.applications import services
from tests import factories as f
from tests.applications.builders import make_posting, make_resume

pytestmark = pytest.mark.django_db


def _applicants(world, posting, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        graduate = f.make_graduate(college=world.college, major=world.major, name=f"同学{i}",
                                   student_number=f"20990{i:05d}")
        make_resume(graduate)
        services.application_submit(actor=f.graduate_user(graduate), posting=posting)


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.mark.parametrize("url", ["/employer/applications/", "/employer/applications/?status=submitted",
                                 "/employer/postings/{posting}/applicants/", "/api/v1/applications/employer",
                                 "/api/v1/applications/employer/postings/{posting}"])
def test_employer_lists_are_constant(world, url):
    posting = make_posting(world.employer, world.school)
    url = url.format(posting=posting.pk)
    client = Client()
    client.force_login(world.employer_user)
    _applicants(world, posting, 2)
    client.get(url)  # warm the reference snapshot
    small = _count(client, url)
    _applicants(world, posting, 8, start=2)
    large = _count(client, url)
    assert large == small, f"{url}: {small} → {large}"


@pytest.mark.parametrize("url", ["/services/applications/", "/api/v1/applications/mine"])
def test_the_graduates_list_is_constant(world, url):
    make_resume(world.graduate)
    client = Client()
    client.force_login(world.graduate_user)
    for i in range(2):
        services.application_submit(actor=world.graduate_user, posting=make_posting(world.employer, world.school,
                                                                                    title=f"职位{i}"))
    client.get(url)
    small = _count(client, url)
    for i in range(2, 9):
        other = f.make_employer(credit_code=f"91340100MA2N0XX{i:03d}", name=f"单位{i}")
        services.application_submit(actor=world.graduate_user, posting=make_posting(other, world.school,
                                                                                    title=f"职位{i}"))
    large = _count(client, url)
    assert large == small, f"{url}: {small} → {large}"
