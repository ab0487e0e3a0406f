"""Pluggable outbound channel (SMS / e-mail). The default writes one log line per message
with the kind and an opaque recipient reference — never a name, phone or ID number."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("platform.notifications")


class LogSender:
    def send(self, *, recipient_ref: str, kind: str, title: str, phone: str = "", email: str = "") -> None:
        log.info("notification kind=%s recipient=%s channel=%s", kind, recipient_ref,
                 "sms" if phone else ("email" if email else "in-app"))


class MemorySender:
    """For tests: keeps what would have been sent."""

    outbox: list[dict] = []

    def send(self, **message) -> None:
        MemorySender.outbox.append(message)


def sender():
    return import_string(getattr(settings, "NOTIFICATION_SENDER", "apps.notifications.senders.LogSender"))()
