"""Error answers for everything Django answers itself (错误页面): unknown pages, wrong methods,
refused requests, CSRF failures and unhandled exceptions.

- The site gets a Chinese page (templates/400.html … 500.html) in every mode. With DEBUG on,
  Django would otherwise show its English technical pages — the 404 one lists every URL pattern,
  the 500 one local variables with personal data — and a wrong method is a blank page.
- Paths under /api/ get the API's one JSON shape {"error": {"code", "message", "fields"}}
  (apps.core.api), also for errors that never reach the NinjaAPI (unknown path, 405, CSRF).

config/urls.py points handler400/403/404/500 here and settings.CSRF_FAILURE_VIEW at
`csrf_failure`; `ErrorPageMiddleware` (first in MIDDLEWARE) covers what those hooks miss: DEBUG
mode, and the empty 405 answers of require_POST and ninja. It sits just inside the security
header middlewares, so replaced answers still get their headers.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.log import log_response

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

PAGE_TEXTS = {
    400: ("请求无效", "请求内容不正确或已失效，请返回后重试。"),
    403: ("无权访问", "您没有权限访问此页面或执行此操作。"),
    404: ("页面不存在", "您访问的页面不存在，或记录不存在、无权访问。"),
    405: ("请求方式不支持", "此页面不支持这种访问方式，请从页面上的按钮或链接进入。"),
    500: ("系统出现错误", "服务器处理请求时出现错误，已记录，请稍后重试。"),
}
CSRF_MESSAGE = "页面已过期或来源无法验证，请刷新页面后重试。"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error_response(status: int, *, message: str | None = None) -> JsonResponse:
    from apps.core.api import status_error_body

    body = status_error_body(status)
    if message:
        body["error"]["message"] = message
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def error_page(status: int, *, message: str | None = None) -> HttpResponse:
    """The Chinese page for `status`. Rendered without the request (no context processors, no
    session or host look-up), so it also works for a request that failed before or in the
    middleware; if even the template fails, a minimal inline page answers."""
    title, default_message = PAGE_TEXTS.get(status, PAGE_TEXTS[500 if status >= 500 else 400])
    context = {"title": title, "message": message or default_message, "status": status}
    try:
        html = render_to_string(f"{status}.html" if status in PAGE_TEXTS else "500.html", context)
    except Exception:  # noqa: BLE001 — the last resort must not fail
        logger.exception("error page template %s failed", status)
        html = (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{escape(title)}</title>'
                f"<h1>{escape(title)}</h1><p>{escape(context['message'])}</p><p><a href=\"/\">返回首页</a></p></html>")
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response.platform_error_page = True
    return response


def error_response(request, status: int, *, message: str | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error_response(status, message=message)
    return error_page(status, message=message)


# --- handler400/403/404/500 (config/urls.py) and CSRF_FAILURE_VIEW ----------------------------------

def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)


def csrf_failure(request, reason=""):
    return error_response(request, 403, message=None if _is_api(request) else CSRF_MESSAGE)


# --- middleware -----------------------------------------------------------------------------------

def _status_of(exception: Exception) -> int:
    # An id in the URL too large for the database's integer (SQLite refuses to bind it with
    # OverflowError; PostgreSQL simply finds no row) can name no record: not found, like any other.
    if isinstance(exception, Http404 | OverflowError):
        return 404
    if isinstance(exception, PermissionDenied):
        return 403
    if isinstance(exception, BadRequest | SuspiciousOperation | MultiPartParserError):
        return 400
    return 500


class ErrorPageMiddleware:
    """Chinese pages (or the API's JSON shape) for errors in every mode.

    - a view's exception (Http404, PermissionDenied, SuspiciousOperation, anything else) becomes
      our page with DEBUG on as well; 500s are logged with their traceback (the PII filter masks
      ID and phone numbers) and signalled like Django does;
    - an empty 405 (require_POST, ninja) becomes a page / JSON error keeping the Allow header;
    - an error answered before any view was found (unknown URL, disallowed host) — with DEBUG on
      Django's technical page — is replaced by ours;
    - under /api/, any error answer that is not JSON yet gets the one JSON shape.

    Pages a view rendered itself with an error status (a form re-shown with status 400, the
    DomainError page) are left alone. DomainError is handled by DomainErrorPageMiddleware and
    the API; this middleware comes before it in MIDDLEWARE, so its process_exception runs later.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or getattr(response, "platform_error_page", False) or response.streaming:
            return response
        if _is_api(request):
            if not response.get("Content-Type", "").startswith("application/json"):
                return self._replace(response, api_error_response(response.status_code))
            return response
        if response.status_code == 405 and not response.content:
            return self._replace(response, error_page(405))
        if getattr(request, "resolver_match", None) is None and response.status_code in PAGE_TEXTS:
            return self._replace(response, error_page(response.status_code))
        return response

    @staticmethod
    def _replace(old: HttpResponse, new: HttpResponse) -> HttpResponse:
        for header, value in old.items():  # Allow, Vary, X-Frame-Options … stay; the body is ours
            if header.lower() not in ("content-type", "content-length"):
                new[header] = value
        new._has_been_logged = getattr(old, "_has_been_logged", False)
        for cookie in old.cookies.values():  # e.g. a session or CSRF cookie set on the way out
            new.cookies[cookie.key] = cookie
        return new

    def process_exception(self, request, exception):
        from apps.core.errors import DomainError

        if isinstance(exception, DomainError) or settings.DEBUG_PROPAGATE_EXCEPTIONS:
            return None
        status = _status_of(exception)
        response = error_response(request, status)
        if status == 500:
            signals.got_request_exception.send(sender=self.__class__, request=request)
            log_response("Internal Server Error: %s", request.path, response=response, request=request,
                         exception=exception)
        elif isinstance(exception, SuspiciousOperation):
            security = logging.getLogger(f"django.security.{exception.__class__.__name__}")
            security.error(str(exception), extra={"request": request, "status_code": 400})
        return response
