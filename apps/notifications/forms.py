"""The 消息设置 form's field names: one select and one box per kind (keys contain dots, which
HTML names allow)."""

from __future__ import annotations

from apps.notifications.kinds import kinds_for_role


def channel_field(key: str) -> str:
    return f"channel-{key}"


def digest_field(key: str) -> str:
    return f"digest-{key}"


def parse_choices(post, role: str) -> dict[str, tuple[str, bool]]:
    """Every kind of the role from the form: the select's value and the box (absent select = '')."""
    return {kind.key: (post.get(channel_field(kind.key), ""), post.get(digest_field(kind.key)) == "1")
            for kind in kinds_for_role(role)}
