"""API fuzzing (接口模糊测试): schemathesis generates requests from the OpenAPI document and sends
them in-process to config.wsgi.application, as a graduate and as school staff, against the
security world. Every answer must be a non-5xx, match its documented schema, and — when it is
not 2xx — carry the one error shape {"error": {"code", "message", "fields"}} with a Chinese
message.

Bounded for the suite: FUZZ_EXAMPLES (default 5) generated examples per operation and persona,
a fixed seed, no shrinking and no schemathesis "coverage" phase (its boundary and wrong-method
probes multiply the requests tenfold). docs/testing.md gives the longer run (FUZZ_EXAMPLES=200
FUZZ_COVERAGE=1).
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from apps.core.api import api
from config.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
COVERAGE_PHASE = os.environ.get("FUZZ_COVERAGE", "") == "1"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FUZZ_PERSONAS = ("owner", "school_staff")  # a graduate's token and a staff token
fuzz_counts = Counter()

CONFIG = schemathesis.Config.from_dict({"seed": 2026, "phases": {"coverage": {"enabled": COVERAGE_PHASE}}})
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = application  # in-process WSGI calls: the test's database transaction is the app's


@schemathesis.check
def error_shape_in_chinese(ctx, response, case):
    """Every non-2xx answer is {"error": {"code", "message", "fields"}} with a Chinese message."""
    if 200 <= response.status_code < 300:
        return None
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"{response.status_code} without a JSON body: {response.text[:200]!r}") from None
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict) and {"code", "message", "fields"} <= set(error), \
        f"{response.status_code} body lacks the error shape: {response.text[:200]!r}"
    assert isinstance(error["fields"], dict), f"error.fields is not an object: {response.text[:200]!r}"
    assert CHINESE.search(str(error["message"])), f"error message without Chinese: {error['message']!r}"
    return None


@pytest.fixture(scope="module", autouse=True)
def _wsgi_keeps_the_test_connection():
    """The Django test client detaches close_old_connections for each request; a raw WSGI call
    does not, and would close the connection holding the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(security_world):
    """A fresh token per example: a fuzzed POST /auth/logout revokes the persona's tokens."""
    from apps.accounts.services import api_token_issue

    def issue(persona):
        return {"Authorization": f"Bearer {api_token_issue(security_world.users[persona])}"}

    return issue


@pytest.mark.parametrize("persona", FUZZ_PERSONAS)
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck), database=None, print_blob=True)
def test_api_fuzz(case, persona, bearer):
    # every example starts from the same world: a fuzzed write is rolled back, and so is a
    # database error (on PostgreSQL it would abort the transaction every later example shares)
    savepoint = transaction.savepoint()
    try:
        case.call_and_validate(headers=bearer(persona),
                               checks=[not_a_server_error, response_schema_conformance, error_shape_in_chinese])
    finally:
        # a database error inside the request may have marked the transaction for rollback;
        # going back to the savepoint taken before the request makes it clean again
        transaction.set_rollback(False)
        transaction.savepoint_rollback(savepoint)
        fuzz_counts["examples"] += 1
        fuzz_counts[persona] += 1


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    started = time.monotonic()
    yield
    print(f"\nAPI fuzz: {fuzz_counts['examples']} requests ({fuzz_counts['owner']} as a graduate, "
          f"{fuzz_counts['school_staff']} as school staff) in {time.monotonic() - started:.0f} s; "
          f"FUZZ_EXAMPLES={EXAMPLES}, coverage phase {'on' if COVERAGE_PHASE else 'off'}")
