"""Builders for the fair tests: a published fair of the world's school, employers with open
postings in its channel."""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.fairs import services
from tests import factories as f

_codes = itertools.count(1000)  # unique credit codes across the session


def fair_fields(**over) -> dict:
    now = timezone.now()
    fields = {"kind": "mutual_choice", "title": "2027届秋季双选会", "venue": "体育馆一楼",
              "starts_at": now + timedelta(days=10), "ends_at": now + timedelta(days=10, hours=4),
              "apply_deadline": now + timedelta(days=5), "booth_count": 2, "audience": "school",
              "description": "面向本校2027届毕业生。"}
    fields.update(over)
    return fields


def publish(world, **over):
    return services.fair_publish(actor=world.school_admin, **fair_fields(**over))


def make_employer_user(world, name: str, *, verifier_school=None):
    """A verified employer (by the province unless `verifier_school`) with an account and one
    published posting in the world's school channel."""
    code = f"91340100MA2N{next(_codes):04d}X1"
    employer = f.make_employer(credit_code=code, name=name, verifier_school=verifier_school,
                               province=None if verifier_school else world.province)
    user = f.make_staff(Role.EMPLOYER, employer=employer)
    posting = f.make_posting(employer, world.school, title=f"{name[:2]}工程师")
    return SimpleNamespace(employer=employer, user=user, posting=posting)


def apply(emp, fair, **over):
    kw = {"posting_ids": [emp.posting.pk], "contact_name": "王经理", "contact_phone": "13900001111", "note": ""}
    kw.update(over)
    return services.booth_apply(actor=emp.user, fair=fair, **kw)


@pytest.fixture
def fairs_world(world):
    world.emp_a = make_employer_user(world, "甲公司有限公司")
    world.emp_b = make_employer_user(world, "乙公司有限公司")
    world.emp_c = make_employer_user(world, "丙公司有限公司")
    return world
