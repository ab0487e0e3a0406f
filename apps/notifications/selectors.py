"""Reads of 消息设置: the person's effective choice for every kind they can receive."""

from __future__ import annotations

from dataclasses import dataclass

from apps.accounts.models import Role
from apps.accounts.scoping import visible_to
from apps.notifications.kinds import Kind, grouped_for_role
from apps.notifications.models import NotificationPreference


@dataclass(frozen=True)
class PreferenceRow:
    kind: Kind
    channel: str
    digest: bool
    saved: bool  # False: the kind's defaults (nothing saved yet)


def my_preferences(*, actor) -> list[tuple[str, list[PreferenceRow]]]:
    """(group, rows) in group order; saved choices over the defaults of kinds.py. One query."""
    saved = {p.kind: p for p in visible_to(NotificationPreference, actor).only("kind", "channel", "digest")}
    groups = []
    for group, kinds in grouped_for_role(actor.role):
        rows = []
        for kind in kinds:
            pref = saved.get(kind.key)
            rows.append(PreferenceRow(kind, pref.channel, pref.digest, True) if pref is not None
                        else PreferenceRow(kind, kind.default_channel, kind.default_digest, False))
        groups.append((group, rows))
    return groups


def delivery_address(*, actor) -> str:
    """The e-mail address messages go to: the graduate's 联系方式 e-mail, or the employer user's own."""
    if actor.role == Role.GRADUATE:
        graduate = actor.graduate
        return graduate.email if graduate is not None else ""
    return actor.email or ""
