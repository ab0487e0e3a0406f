"""The 消息设置 form's field names: one select and one box per kind (keys contain dots, which
HTML names allow)."""

from __future__ import annotations

from apps.notifications.kinds import kinds_for_role


def channel_field(key: str) -> str:
    return f"channel-{key}"


def digest_field(key: str) -> str:
    return f"digest-{key}"


def parse_choices(post, role: str) -> dict[str, tuple[str, bool]]:
    """The kinds of the role whose select the form carries: its value and the box. A kind
    without its select keeps what it has."""
    return {kind.key: (post[channel_field(kind.key)], post.get(digest_field(kind.key)) == "1")
            for kind in kinds_for_role(role) if channel_field(kind.key) in post}
