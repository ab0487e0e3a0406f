"""Helpers shared by the staff-list scale tests (issue 9): queries per request and the
PostgreSQL plan of a list's page query."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                      reason="EXPLAIN plans are checked on PostgreSQL only")


def queries_of(client, url: str, **params) -> tuple[int, object]:
    """(number of SQL statements, response) of one GET; the response must be a success."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return len(captured.captured_queries), response


def page_plan(queryset, per_page: int = 30) -> str:
    """PostgreSQL's plan of the first page's query (LIMIT per_page + 1, as bounded_page reads
    it) with sequential scans and sorts priced out. A test table of a few rows cannot give the
    planner the sizes that decide the real plan (with three rows "read a partial or foreign-key
    index, then sort" is cheapest; with 500,000 reading the ordered index is — measured on the
    bench set), so the check is what an index CAN serve: when one serves the list's scope,
    filter and ORDER BY, the plan is an Index Scan with no Sort; when none does, the planner
    still has to sort (the Sort node is then only expensive, not gone)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
        return queryset[: per_page + 1].explain()


def assert_index_ordered(plan: str, table: str) -> None:
    """The page is read from an index of ``table`` in the list's order: no Sort node at all, and
    ``table`` reached through an index scan (not a sequential or bitmap heap scan, which would
    need a sort for the order)."""
    assert "Sort" not in plan, plan
    assert re.search(rf"Index (Only )?Scan (Backward )?using \w+ on {table}\b", plan), plan
    assert not re.search(rf"Seq Scan on {table}\b", plan), plan
