"""The inbox at provincial scale: a queue's page is read from the app's own queue index in the
queue's order (scope, status, age, id), so LIMIT stops early instead of sorting the scope."""

from __future__ import annotations

import pytest

from apps.backoffice.inbox import queue_items_queryset, queue_summary
from apps.backoffice.queues import QUEUES_BY_KEY
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan

pytestmark = pytest.mark.django_db

INDEXED = [
    ("college_admin", "destinations", "destinations_destination"),
    ("school_admin", "destinations", "destinations_destination"),
    ("college_admin", "terminations", "signing_termination"),
    ("school_admin", "terminations", "signing_termination"),
    ("college_admin", "corrections", "corrections_correction"),
    ("school_admin", "postings", "jobs_posting"),
    ("school_admin", "reports", "reports_fraudreport"),
    ("school_admin", "employers", "organisations_employer"),
]


@needs_postgresql
@pytest.mark.parametrize(("persona", "key", "table"), INDEXED)
def test_queue_page_reads_the_apps_queue_index(world, persona, key, table):
    actor = getattr(world, persona)
    assert_index_ordered(page_plan(queue_items_queryset(QUEUES_BY_KEY[key], actor)), table)


@pytest.mark.parametrize("key", sorted(QUEUES_BY_KEY))
def test_every_queue_summarises_when_empty(world, key):
    """Each queue's statements run for each of its roles with nothing waiting: 「无待办」."""
    for persona in ("college_admin", "school_admin", "province_admin"):
        actor = getattr(world, persona)
        queue = QUEUES_BY_KEY[key]
        if actor.role in queue.roles:
            summary = queue_summary(queue, actor)
            assert summary.count_label == "无待办" and summary.overdue_label == ""
