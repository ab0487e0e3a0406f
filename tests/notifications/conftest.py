from __future__ import annotations

import pytest
from django.db import transaction

from apps.notifications.models import NotificationPreference
from apps.notifications.services import notify


@pytest.fixture
def graduate(world):
    world.graduate.email = "wangxm@example.edu.cn"
    world.graduate.save(update_fields=["email"])
    return world.graduate


@pytest.fixture
def employer_user(world):
    world.employer_user.email = "hr@example.com"
    world.employer_user.save(update_fields=["email"])
    return world.employer_user


def prefer(user, kind: str, channel: str, digest: bool = False):
    return NotificationPreference.objects.update_or_create(user=user, kind=kind,
                                                           defaults={"channel": channel, "digest": digest})[0]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """notify() in its own transaction, its after-commit job run (tasks are immediate in tests)."""

    def _send(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                return notify(**kwargs)

    return _send
