"""The permission matrix (权限矩阵): every site page from the URL map and every API operation from
the OpenAPI document, tried as every persona against one rich world. What counts as allowed
or denied is documented at the top of permission_expectations.py.

A new URL or API operation without an entry there fails test_every_endpoint_has_an_expectation
with its name: deciding who may reach it is part of adding it.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security import permission_expectations as expect
from tests.security.conftest import OWNER_NAME, OWNER_PHONE, OWNER_STUDENT_NUMBER, PERSONAS

pytestmark = pytest.mark.django_db

LOGIN_PATHS = ("/login/", "/staff/login/", "/admin/login/")
UNSAFE = ("post", "put", "patch", "delete")
tried = Counter()  # the figure for the report: requests per kind


# --- the URL map and the OpenAPI document ------------------------------------------------------

def site_patterns() -> list[tuple[str, str]]:
    """(route, name) of every site URL pattern outside the API; unnamed admin routes are
    named by their route."""
    found = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                if ns == "api":
                    continue
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
                found.append((route, name))

    walk(get_resolver().url_patterns, "", "")
    return found


@cache
def openapi() -> dict:
    from apps.core.api import api

    return api.get_openapi_schema()


def api_operations() -> list[tuple[str, str, str, dict]]:
    """(method, path template, operationId, operation) for every API operation."""
    ops = []
    for path, methods in openapi()["paths"].items():
        for method, op in methods.items():
            ops.append((method, path, op["operationId"], op))
    return ops


def is_admin(name: str, route: str) -> bool:
    return name.startswith("admin:") or route.startswith("admin/")


def page_entry(route: str, name: str) -> expect.Page | None:
    if is_admin(name, route):
        allowed = expect.EVERYONE if name in expect.ADMIN_PUBLIC else expect.NOBODY
        return expect.Page(allowed, post_only=name in expect.ADMIN_POST_ONLY)
    return expect.PAGES.get(name)


def personas_for(route: str, name: str) -> tuple[str, ...]:
    return expect.ADMIN_PERSONAS if is_admin(name, route) else PERSONAS


def fill(value: str, ids) -> str:
    return value[1:] if value.startswith("=") else str(getattr(ids, value))


def page_url(route: str, entry: expect.Page, ids) -> str:
    def replace(match):
        kwarg = match.group(2)
        if kwarg in entry.kwargs:
            return fill(entry.kwargs[kwarg], ids)
        return "1"  # admin object ids: nobody gets that far

    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)
    if entry.query:
        url += "?" + "&".join(f"{k}={fill(v, ids)}" for k, v in entry.query.items())
    return url


def api_url(path: str, entry: expect.Op, ids) -> str:
    url = re.sub(r"\{(\w+)\}", lambda m: fill(entry.path[m.group(1)], ids), path)
    if entry.query:
        url += "?" + "&".join(f"{k}={fill(v, ids)}" for k, v in entry.query.items())
    return url


# --- outcomes ------------------------------------------------------------------------------------

def page_denied(response) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        return response["Location"].split("?")[0].endswith(LOGIN_PATHS)
    return False


def page_allowed(response, entry: expect.Page) -> bool:
    if response.status_code == 200:
        return True
    if response.status_code == 405:
        return entry.post_only
    return response.status_code in (301, 302, 303, 307, 308) and not page_denied(response)


def leaks(response, persona: str, world, public_owner_data: bool) -> list[str]:
    """Owner data in a 2xx answer that this persona must not see."""
    kind = response.get("Content-Type", "")
    if not (200 <= response.status_code < 300) or not kind.startswith(("text/", "application/json")):
        return []
    body = b"".join(response.streaming_content).decode("utf-8", "replace") if response.streaming \
        else response.content.decode("utf-8", "replace")
    found = []
    if persona != "owner":
        for label, value in (("full ID number", world.objects.owner.id_number), ("full phone", OWNER_PHONE)):
            if value in body:
                found.append(label)
    if persona not in expect.OWNER_READERS and not public_owner_data:
        for label, value in (("owner's name", OWNER_NAME), ("owner's student number", OWNER_STUDENT_NUMBER)):
            if value in body:
                found.append(label)
    return found


def state_fingerprint() -> tuple:
    """Everything a denied request could have changed: the audit trail (every change writes
    to it) and the rows of the world."""
    from apps.accounts.models import User
    from apps.archives.models import ArchiveTransfer
    from apps.audit.models import AuditEntry
    from apps.corrections.models import Correction
    from apps.destinations.models import Destination, ProofImage
    from apps.graduates.models import Graduate
    from apps.notices.models import Notice
    from apps.notifications.models import Notification
    from apps.organisations.models import SchoolPolicy
    from apps.roster.models import RosterImport
    from apps.signing.models import Agreement, Invitation, PrintSession, SigningCard, Termination

    rows = []
    for model in (Graduate, Invitation, Agreement, Destination, ProofImage, Termination, Correction, ArchiveTransfer,
                  Notice, RosterImport, SchoolPolicy, Notification, SigningCard, PrintSession):
        rows.append((model.__name__, tuple(tuple(sorted(r.items())) for r in model.objects.order_by("pk").values())))
    rows.append(("users", tuple(User.objects.order_by("pk").values_list("pk", "is_active", "password"))))
    return AuditEntry.objects.count(), tuple(rows)


def describe_change(before, after) -> str:
    if before[0] != after[0]:
        return f"audit trail grew by {after[0] - before[0]}"
    changed = [b[0] for b, a in zip(before[1], after[1], strict=True) if b != a]
    return "changed: " + ", ".join(changed)


# --- clients -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def api_clients(security_world):
    """Per persona: a cookie-less client and its bearer header (none for anonymous)."""
    return {name: (Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {})
            for name, token in security_world.tokens.items()}


def api_call(api_clients, persona, method, url, body=None, multipart=False):
    client, headers = api_clients[persona]
    client.cookies.clear()  # the API is tried by bearer token only
    if method == "get":
        return client.get(url, **headers)
    if multipart:
        return client.post(url, body or {}, **headers)
    return getattr(client, method)(url, body if body is not None else {},
                                   content_type="application/json", **headers)


def relogin(page_clients, world, persona):
    """A denied POST must not end a session, but if one did (logout/unbind), log in again so
    the next request is still made as the persona."""
    client = page_clients[persona]
    user = world.users[persona]
    if user is not None and "_auth_user_id" not in client.session:
        client.force_login(user)


# --- the tests -----------------------------------------------------------------------------------

def missing_expectations() -> list[str]:
    missing = [f"page {name} ({route})" for route, name in site_patterns() if page_entry(route, name) is None]
    missing += [f"API {method.upper()} {path} ({op_id})" for method, path, op_id, _ in api_operations()
                if op_id not in expect.API]
    return missing


def test_every_endpoint_has_an_expectation():
    missing = missing_expectations()
    assert not missing, ("endpoints without an entry in tests/security/permission_expectations.py — decide who may "
                         "reach them:\n  " + "\n  ".join(missing))
    names = {name for _, name in site_patterns()}
    op_ids = {op_id for *_, op_id, _ in api_operations()}
    stale = sorted(set(expect.PAGES) - names) + sorted(set(expect.API) - op_ids)
    assert not stale, f"entries for endpoints that no longer exist: {stale}"


def test_an_endpoint_without_an_entry_is_named(monkeypatch):
    """The guard itself: drop one page and one operation from the expectations."""
    monkeypatch.delitem(expect.PAGES, "staff-graduate-detail")
    monkeypatch.delitem(expect.API, "apps_graduates_api_get_graduate")
    assert missing_expectations() == ["page staff-graduate-detail (staff/graduates/<int:pk>/)",
                                      "API GET /api/v1/graduates/{graduate_id} (apps_graduates_api_get_graduate)"]


def test_the_leak_check_sees_owner_data(security_world):
    """The guard itself: a page showing the owner's full ID number or name to a stranger is caught."""
    from django.http import HttpResponse

    owner = security_world.objects.owner
    page = HttpResponse(f"<td>{OWNER_NAME}</td><td>{owner.id_number}</td>", content_type="text/html")
    assert leaks(page, "stranger", security_world, public_owner_data=False) == ["full ID number", "owner's name"]
    assert leaks(page, "college_staff", security_world, public_owner_data=False) == ["full ID number"]
    assert leaks(page, "owner", security_world, public_owner_data=False) == []


def test_pages_get_as_every_persona(security_world, page_clients):
    failures = []
    for route, name in site_patterns():
        entry = page_entry(route, name)
        if entry is None:
            continue  # reported by test_every_endpoint_has_an_expectation
        url = page_url(route, entry, security_world.ids)
        for persona in personas_for(route, name):
            response = page_clients[persona].get(url)
            tried["page GET"] += 1
            ok = page_allowed(response, entry) if persona in entry.allowed else \
                page_denied(response) or (entry.post_only and response.status_code == 405)
            if not ok:
                failures.append(f"{name}: GET {url} as {persona} → {response.status_code} "
                                f"{response.get('Location', '')} (expected "
                                f"{'allowed' if persona in entry.allowed else 'denied'})")
            for leak in leaks(response, persona, security_world, entry.public_owner_data):
                failures.append(f"LEAK {name}: GET {url} as {persona} shows the {leak}")
            relogin(page_clients, security_world, persona)
    admin = sum(is_admin(name, route) for route, name in site_patterns())
    print(f"\npermission matrix, pages: {tried['page GET']} GET requests ({len(site_patterns()) - admin} site URL "
          f"patterns × {len(PERSONAS)} personas, {admin} admin patterns × {len(expect.ADMIN_PERSONAS)})")
    assert not failures, f"{len(failures)} page outcomes differ:\n  " + "\n  ".join(failures)


def test_pages_post_as_denied_personas_changes_nothing(security_world, page_clients):
    failures = []
    for route, name in site_patterns():
        entry = page_entry(route, name)
        if entry is None:
            continue
        url = page_url(route, entry, security_world.ids)
        before = state_fingerprint()
        for persona in personas_for(route, name):
            if persona in entry.allowed:
                continue  # never perform an allowed action here
            response = page_clients[persona].post(url, {})
            tried["page POST (denied personas)"] += 1
            if not (page_denied(response) or response.status_code == 405):
                failures.append(f"{name}: POST {url} as {persona} → {response.status_code} "
                                f"{response.get('Location', '')} (expected a denial)")
            relogin(page_clients, security_world, persona)
        after = state_fingerprint()
        if after != before:
            failures.append(f"{name}: POST {url} by denied personas {describe_change(before, after)}")
    print(f"\npermission matrix, pages: {tried['page POST (denied personas)']} POST requests by denied personas")
    assert not failures, f"{len(failures)} page POST outcomes differ:\n  " + "\n  ".join(failures)


def test_api_reads_as_every_persona(security_world, api_clients):
    failures = []
    operations = [op for op in api_operations() if op[0] == "get" and op[2] in expect.API]
    for _method, path, op_id, _op in operations:
        entry = expect.API[op_id]
        url = api_url(path, entry, security_world.ids)
        for persona in PERSONAS:
            response = api_call(api_clients, persona, "get", url)
            tried["API GET"] += 1
            status = response.status_code
            allowed = persona in entry.allowed
            if allowed and not 200 <= status < 300 or not allowed and status not in (401, 403, 404):
                failures.append(f"{op_id}: GET {url} as {persona} → {status} "
                                f"{response.content[:160]!r} (expected {'2xx' if allowed else '401/403/404'})")
            for leak in leaks(response, persona, security_world, entry.public_owner_data):
                failures.append(f"LEAK {op_id}: GET {url} as {persona} shows the {leak}")
    print(f"\npermission matrix, API: {tried['API GET']} GET requests "
          f"({len(operations)} read operations × {len(PERSONAS)} personas)")
    assert not failures, f"{len(failures)} API read outcomes differ:\n  " + "\n  ".join(failures)


def test_api_writes_as_denied_personas_change_nothing(security_world, api_clients):
    failures = []
    operations = [op for op in api_operations() if op[0] in UNSAFE and op[2] in expect.API]
    for method, path, op_id, op in operations:
        entry = expect.API[op_id]
        url = api_url(path, entry, security_world.ids)
        before = state_fingerprint()
        for persona in PERSONAS:
            if persona in entry.allowed:
                continue
            body, multipart = example_body(op)  # fresh per request: an upload is consumed when sent
            response = api_call(api_clients, persona, method, url, body, multipart)
            tried["API write (denied personas)"] += 1
            if response.status_code not in (401, 403, 404):
                failures.append(f"{op_id}: {method.upper()} {url} as {persona} → {response.status_code} "
                                f"{response.content[:200]!r} (expected 401/403/404)")
        after = state_fingerprint()
        if after != before:
            failures.append(f"{op_id}: {method.upper()} {url} by denied personas "
                            f"{describe_change(before, after)}")
    print(f"\npermission matrix, API: {tried['API write (denied personas)']} write requests by denied personas "
          f"({len(operations)} write operations)")
    assert not failures, f"{len(failures)} API write outcomes differ:\n  " + "\n  ".join(failures)


# --- request bodies that pass validation, so the permission check is what answers -------------

def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi()["components"]["schemas"][name]
    return schema


def example_value(schema: dict):
    schema = _resolve(schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s).get("type") != "null"]
            return example_value(options[0]) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: example_value(prop) for name, prop in schema.get("properties", {}).items()
                if name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-05-20"
    if schema.get("format") == "date-time":
        return "2026-05-20T10:00:00+08:00"
    if schema.get("format") == "binary":
        return _small_png()
    return "测试内容"[: schema.get("maxLength", 4)].ljust(schema.get("minLength", 0), "测")


def _small_png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.signing.helpers import png

    image = png("x.png", size=(8, 8))
    return SimpleUploadedFile(image.name, image.read(), content_type="image/png")


def example_body(op: dict) -> tuple[object, bool]:
    """A body that validates against the operation's request schema: (body, multipart?)."""
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return example_value(content["application/json"]["schema"]), False
    for kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if kind in content:
            return example_value(content[kind]["schema"]) or {}, True
    return None, False
