"""Counters and throttles are atomic: count first, then decide (限流先计数后判断).

A standing scan of `apps/`: checking a counter and counting afterwards lets parallel
requests all read "under the limit" and all get through (issue 8, defect 2). The old
`throttle.failures()` + `throttle.record_failure()` pair is gone; this keeps it, and its
look-alikes, from coming back:

- the removed names, called or imported;
- a refusal decided on `throttle.peek()` (a count this try did not take);
- a function that peeks at a throttle and counts it afterwards;
- a cache counter read with `get` and written back with `set(key, … + 1)`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from apps.core import throttle

APPS = Path(__file__).resolve().parents[2] / "apps"
LEGACY = {"failures", "record_failure"}
COUNTING = {"hit", "take"}


def _throttle_call(node: ast.AST, names: set[str], imported: set[str]) -> str | None:
    """The throttle function a call invokes (`throttle.x(...)` or an imported `x(...)`), if any of `names`."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "throttle":
        return func.attr if func.attr in names else None
    if isinstance(func, ast.Name) and func.id in imported and func.id in names:
        return func.id
    return None


def _cache_call(node: ast.AST, method: str) -> ast.Call | None:
    """`cache.<method>(...)` or `caches[...].<method>(...)`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method):
        return None
    owner = node.func.value
    if isinstance(owner, ast.Subscript):
        owner = owner.value
    return node if isinstance(owner, ast.Name) and owner.id in ("cache", "caches") else None


def check_then_count(source: str, filename: str = "<source>") -> list[str]:
    """Findings (`file:line: why`) of the check-then-count pattern in one module's source."""
    tree = ast.parse(source, filename)
    findings: list[str] = []
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "apps.core.throttle":
            names = {alias.name for alias in node.names}
            imported |= names
            for name in sorted(names & LEGACY):
                findings.append(f"{filename}:{node.lineno}: imports the removed throttle.{name}")
        name = _throttle_call(node, LEGACY, imported)
        if name:
            findings.append(f"{filename}:{node.lineno}: throttle.{name}() is check-then-count; use throttle.take()")
        if isinstance(node, ast.Compare):
            for part in ast.walk(node):
                if _throttle_call(part, {"peek"}, imported):
                    findings.append(f"{filename}:{node.lineno}: decides on throttle.peek(), a count this try did "
                                    "not take; count with throttle.hit()/take() first")
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        calls = sorted((n for n in ast.walk(function) if isinstance(n, ast.Call)),
                       key=lambda n: (n.lineno, n.col_offset))
        peeks = [c.lineno for c in calls if _throttle_call(c, {"peek"}, imported)]
        counts = [c.lineno for c in calls if _throttle_call(c, COUNTING, imported)]
        if peeks and counts and min(peeks) <= max(counts):
            findings.append(f"{filename}:{min(peeks)}: {function.name}() peeks at a throttle and counts it "
                            "afterwards; count first, then decide")
        read_keys = {ast.dump(c.args[0]) for c in calls if _cache_call(c, "get") and c.args}
        for call in calls:
            written = _cache_call(call, "set")
            if (written and len(written.args) >= 2 and ast.dump(written.args[0]) in read_keys
                    and isinstance(written.args[1], ast.BinOp) and isinstance(written.args[1].op, ast.Add)):
                findings.append(f"{filename}:{call.lineno}: {function.name}() counts with cache get + set; "
                                "use an atomic counter (apps.core.throttle)")
    return findings


def test_no_module_in_apps_checks_a_counter_before_counting():
    findings = []
    for path in sorted(APPS.rglob("*.py")):
        findings += check_then_count(path.read_text(encoding="utf-8"), str(path.relative_to(APPS.parent)))
    assert findings == []


def test_the_legacy_check_then_count_api_is_gone():
    assert not any(hasattr(throttle, name) for name in LEGACY)


# The scan itself must be able to fail: the five throttles as they were before issue 8, and
# look-alikes, are found; the count-first forms are not.

OLD_CARD_CODE = '''
def card_resolve(*, short_code, client_address):
    if throttle.failures("card-code", client_address) >= settings.LOGIN_THROTTLE_PER_ADDRESS:
        raise Throttled("尝试次数过多，请稍后再试")
    card = SigningCard.objects.filter(short_code=short_code).first()
    if card is None:
        throttle.record_failure("card-code", client_address, settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    return card
'''

PEEK_THEN_HIT = '''
from apps.core import throttle

def verify_pdf_upload(uploaded, address):
    if throttle.peek("verify-upload", address).count >= UPLOADS_PER_ADDRESS:
        raise Throttled("上传次数过多，请稍后再试")
    throttle.hit("verify-upload", address, WINDOW_SECONDS)
'''

IMPORTED_PEEK = '''
from apps.core.throttle import hit, peek

def lookup(address):
    window = peek("verify-code", address)
    found = find()
    if found is None:
        hit("verify-code", address, 900)
    return found
'''

CACHE_COUNTER = '''
from django.core.cache import cache

def bump(address):
    tries = cache.get(f"tries:{address}", 0)
    if tries >= 5:
        raise Throttled("尝试次数过多")
    cache.set(f"tries:{address}", tries + 1, 900)
'''

COUNT_FIRST = '''
from apps.core import throttle

def verify_lookup_throttled(code, address):
    throttle.take("verify-code", address, limit=LOOKUPS_PER_ADDRESS, window_seconds=WINDOW_SECONDS,
                  message="查询次数过多，请{minutes}分钟后再试")
    found = verify_lookup(code)
    if found is not None:
        throttle.undo("verify-code", address)
    return found

def login(limits):
    window = throttle.hit("pin", "1", 900)
    if window.count > 5:
        throttle.undo("pin", "1")
        raise Throttled(f"请{window.minutes}分钟后再试")

def show_wait(address):
    return throttle.peek("pin", address).minutes  # display only, no decision
'''


def test_the_scan_finds_the_old_pattern_and_its_look_alikes():
    old = check_then_count(OLD_CARD_CODE)
    assert len(old) == 2 and all("check-then-count" in finding for finding in old)
    assert any("decides on throttle.peek()" in finding for finding in check_then_count(PEEK_THEN_HIT))
    assert any("peeks at a throttle and counts it afterwards" in finding for finding in check_then_count(PEEK_THEN_HIT))
    assert any("lookup() peeks" in finding for finding in check_then_count(IMPORTED_PEEK))
    assert any("cache get + set" in finding for finding in check_then_count(CACHE_COUNTER))
    assert check_then_count("from apps.core.throttle import failures\n")
    assert check_then_count(COUNT_FIRST) == []
