"""E-mail backends for the delivery tests: one that fails the first N sends, then behaves like
Django's locmem backend (mail.outbox)."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            # an SMTP error text quotes the address: it must not reach last_error or the logs
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"mailbox unavailable")})
        return super().send_messages(messages)
