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


def page_plan(queryset, per_page: int = 30, *, price_out_sorts: bool = False) -> str:
    """PostgreSQL's plan of the first page's query (LIMIT per_page + 1, as bounded_page reads
    it) with sequential scans priced out, so a tiny test table answers like a large one: an
    index that serves the ORDER BY gives an Index Scan and no Sort; without one the planner
    must sort whatever it read.

    ``price_out_sorts`` also prices out sorting, for a plan whose choice depends on table sizes
    a test cannot have (the 省级 lists: with three rows, "schools of the province, then sort"
    is cheapest; with 500,000, reading the ordered index is). It shows that an index CAN serve
    the order — a list no index serves still sorts (the Sort node is then only expensive)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            if price_out_sorts:
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
