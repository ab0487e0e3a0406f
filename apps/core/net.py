from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    """The client's address; X-Forwarded-For is trusted only as deep as NUM_PROXIES."""
    if settings.NUM_PROXIES:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
