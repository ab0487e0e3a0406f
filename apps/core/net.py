from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    """The client's address; X-Forwarded-For is trusted only as deep as NUM_PROXIES."""
    if settings.NUM_PROXIES:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def safe_return_url(request, target: str, *, within: str) -> str:
    """`target` when it is a URL of this site under `within` (e.g. a queue page), else ''."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if target and target.startswith(within) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""
