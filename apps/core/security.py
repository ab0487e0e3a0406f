"""Content-Security-Policy on every response.

Scripts run only from this site's static files: templates carry no inline <script> and no
on*= handlers (static/js/app.js reads data-* attributes instead), so an injected
<script> or onerror= in user-supplied text never runs even if escaping were missed.

Styles: <style> elements are refused like scripts (style-src-elem), but style="" attributes
are allowed ('unsafe-inline' in style-src). About sixty templates use small layout
attributes (and the roster import's progress bar sets its width that way); style
attributes cannot run script, and url() in them is still limited by img-src/font-src to
this site. Browsers without style-src-elem (before Safari 15.4 / Firefox 108) fall back
to style-src and keep the layout.
"""

from __future__ import annotations

HEADER = "Content-Security-Policy"

PAGE_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "img-src": "'self' data: blob:",
    "style-src": "'self' 'unsafe-inline'",
    "style-src-elem": "'self'",
}


def _frame_ancestors(response) -> str | None:
    """Follows Django's clickjacking decorators: the print page frames its PDF
    (@xframe_options_sameorigin); @xframe_options_exempt drops the restriction."""
    if getattr(response, "xframe_options_exempt", False):
        return None
    if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
        return "'self'"
    return "'none'"


def policy_for(response) -> str:
    directives: dict[str, str] = {}
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    # Chromium's built-in PDF viewer runs under the PDF response's own policy: default-src
    # or object-src there leave inline agreement PDFs blank (chromium issue 271452). A PDF
    # runs no page script of ours, so it gets only the framing rule.
    if content_type != "application/pdf":
        directives.update(PAGE_DIRECTIVES)
    ancestors = _frame_ancestors(response)
    if ancestors:
        directives["frame-ancestors"] = ancestors
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sets the policy unless a view set its own header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            policy = policy_for(response)
            if policy:
                response[HEADER] = policy
        return response
