"""Reference data version per request: code labels and pickers read the shared
`reference:version` key at most once per request instead of on every label."""

from __future__ import annotations

from apps.reference.selectors import reference_scope


class ReferenceVersionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with reference_scope():
            return self.get_response(request)
