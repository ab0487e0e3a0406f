"""Every kind the platform sends is declared in apps/notifications/kinds.py: a notify() call
with an undeclared kind fails here (and notify() itself refuses it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from apps.notifications.kinds import BOTH, EMPLOYER, GRADUATE, GROUPS, KINDS, kinds_for_role
from apps.notifications.models import Notification
from apps.notifications.services import notify

APPS = Path(__file__).resolve().parents[2] / "apps"


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "literal" assignments (DIGEST_KIND = "jobs.match_digest")."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def sent_kinds() -> dict[str, list[str]]:
    """kind → where it is sent, from every notify(kind=…) call under apps/ (a literal, a
    module constant, or a constant imported by name from another module)."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in APPS.rglob("*.py")
             if "migrations" not in path.parts}
    constants: dict[str, str] = {}
    for tree in trees.values():
        constants.update(_constants(tree))
    sent: dict[str, list[str]] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "notify"):
                continue
            for keyword in node.keywords:
                if keyword.arg != "kind":
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant):
                    kind = value.value
                elif isinstance(value, ast.Name) and value.id in constants:
                    kind = constants[value.id]
                else:
                    kind = f"<not a literal or constant: {ast.unparse(value)}>"
                sent.setdefault(kind, []).append(f"{path.relative_to(APPS.parent)}:{node.lineno}")
    return sent


def test_every_kind_sent_is_declared():
    sent = sent_kinds()
    assert len(sent) >= 20  # the walk finds the platform's calls (signing, jobs, applications …)
    undeclared = {kind: where for kind, where in sent.items() if kind not in KINDS}
    assert undeclared == {}, "declare these in apps/notifications/kinds.py"


def test_the_kinds_other_areas_send_are_declared_with_their_audience():
    expected = {"fair.booth": EMPLOYER, "fair.reminder": GRADUATE, "fair.cancelled": BOTH,
                "session.decision": EMPLOYER, "session.reminder": GRADUATE, "session.cancelled": GRADUATE,
                "recommendation.issued": GRADUATE, "registry.refused": GRADUATE, "jobs.match_digest": GRADUATE}
    assert {key: KINDS[key].audience for key in expected} == expected


def test_each_kind_has_chinese_texts_and_a_known_group():
    for kind in KINDS.values():
        assert kind.group in GROUPS
        assert kind.label and kind.description
        assert not any("a" <= ch.lower() <= "z" for ch in kind.label + kind.description), kind.key
        assert kind.default_channel in ("in_app", "email")  # never SMS by default
        assert not kind.default_digest or kind.default_channel == "email"


def test_roles_see_only_their_kinds():
    graduate = {k.key for k in kinds_for_role("graduate")}
    employer = {k.key for k in kinds_for_role("employer")}
    assert "fair.reminder" in graduate and "fair.reminder" not in employer
    assert "fair.booth" in employer and "fair.booth" not in graduate
    assert "fair.cancelled" in graduate & employer


def test_notify_refuses_an_undeclared_kind(world):
    with pytest.raises(ValueError, match="not declared"):
        notify(kind="no.such.kind", title="测试", graduate=world.graduate)
    assert not Notification.objects.exists()


def test_production_logs_an_undeclared_kind_and_keeps_the_in_app_message(world, settings, caplog):
    settings.NOTIFICATION_STRICT_KINDS = False
    note = notify(kind="no.such.kind", title="测试", graduate=world.graduate)
    assert Notification.objects.filter(pk=note.pk).exists()
    assert "undeclared notification kind no.such.kind" in caplog.text
    assert not note.outbound.exists()
