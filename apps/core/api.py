"""The JSON API under /api/v1/: one NinjaAPI, one error shape, session or bearer auth.

Error shape (every non-2xx answer):
    {"error": {"code": "invalid", "message": "中文说明", "fields": {"field": "中文说明"}}}
"""

from __future__ import annotations

from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.utils.log import log_response
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from apps.core.errors import DomainError


class BearerTokenAuth(HttpBearer):
    """Authorization: Bearer <token> for app clients (token from POST /auth/graduate/login)."""

    def authenticate(self, request, token):
        from apps.accounts.services import api_token_user

        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The web session (cookie + CSRF header for unsafe methods)."""


AUTH = [BearerTokenAuth(), ActiveSessionAuth()]

api = NinjaAPI(
    title="大学生就业服务平台 API",
    version="1",
    description="毕业生、用人单位与工作人员的 JSON 接口。错误统一为 {error: {code, message, fields}}。",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


# The answer for a status without a more specific message (also used by apps.core.error_pages for
# errors that never reach the API's handlers: unknown paths, wrong methods, CSRF refusals).
STATUS_ERRORS = {
    400: ("bad_request", "请求格式不正确，请检查后重试"),
    401: ("unauthenticated", "请先登录"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "记录不存在或无权访问"),
    405: ("method_not_allowed", "不支持该请求方式"),
    413: ("too_large", "上传内容过大"),
    429: ("throttled", "操作过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，请稍后重试"),
}


def status_error_body(status: int) -> dict:
    code, message = STATUS_ERRORS.get(status, STATUS_ERRORS[500] if status >= 500 else STATUS_ERRORS[400])
    return error_body(code, message)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    fields = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "payload")]
        fields[".".join(loc) or "request"] = _chinese_validation_message(err)
    return api.create_response(request, error_body("validation", "请求参数不正确，请检查后重试", fields), status=422)


def _chinese_validation_message(err: dict) -> str:
    kind = err.get("type", "")
    limits = err.get("ctx") or {}
    if kind == "less_than_equal":
        return f"应不大于{limits.get('le')}"
    if kind == "greater_than_equal":
        return f"应不小于{limits.get('ge')}"
    if kind == "missing":
        return "必填"
    if kind.startswith("string_too_long"):
        return "内容过长"
    if kind.startswith("string_too_short"):
        return "内容过短"
    if kind in {"int_parsing", "int_type"}:
        return "应为整数"
    if kind.startswith("string"):
        return "应为文本"
    if kind.startswith("date"):
        return "日期格式不正确"
    return "格式不正确"


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(request, error_body("unauthenticated", "请先登录"), status=401)


@api.exception_handler(Http404)
@api.exception_handler(OverflowError)  # an id too large for the database names no record (see error_pages)
def _not_found(request, exc):
    return api.create_response(request, error_body("not_found", "记录不存在或无权访问"), status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # ninja's own messages are English ("Cannot parse request body", "CSRF check Failed"): the
    # client gets the Chinese text for the status instead
    return api.create_response(request, status_error_body(exc.status_code), status=exc.status_code)


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    return api.create_response(request, status_error_body(403), status=403)


@api.exception_handler(BadRequest)
@api.exception_handler(SuspiciousOperation)
def _bad_request(request, exc):
    response = api.create_response(request, status_error_body(400), status=400)
    log_response("Bad request: %s", request.path, response=response, request=request, exception=exc)
    return response


@api.exception_handler(Exception)
def _unhandled(request, exc: Exception):
    """Anything else is our bug: the client gets the one shape with a Chinese message (never a
    traceback, also with DEBUG on); the traceback goes to the log, where the PII filter masks ID
    and phone numbers, and to got_request_exception listeners (error reporting, the test client)."""
    response = api.create_response(request, status_error_body(500), status=500)
    signals.got_request_exception.send(sender=None, request=request)
    log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exc)
    return response



api.add_router("/auth/", "apps.accounts.api.router")
api.add_router("/reference/", "apps.reference.api.router")
api.add_router("/graduates/", "apps.graduates.api.router")
api.add_router("/roster/", "apps.roster.api.router")
api.add_router("/notices/", "apps.notices.api.router")
api.add_router("/archives/", "apps.archives.api.router")
api.add_router("/corrections/", "apps.corrections.api.router")
api.add_router("/destinations/", "apps.destinations.api.router")
api.add_router("/agreements/", "apps.signing.api_staff.router")
api.add_router("/signing/", "apps.signing.api.router")
api.add_router("/notifications/", "apps.notifications.api.router")
api.add_router("/registry/", "apps.registry.api.router")
api.add_router("/registry/", "apps.registry.api_national.router")  # 就业方案导出与核对
api.add_router("/employers/", "apps.employers.api.router")
api.add_router("/postings/", "apps.jobs.api_postings.router")  # employers' postings and staff review
api.add_router("/jobs/", "apps.jobs.api_search.router")  # 职位搜索, favourites (graduates)
api.add_router("/intentions/", "apps.jobs.api_intentions.router")  # 求职意向职位
api.add_router("/resumes/", "apps.resumes.api.router")
api.add_router("/applications/", "apps.applications.api.router")
api.add_router("/reports/", "apps.reports.api.router")  # 举报
api.add_router("/fairs/", "apps.fairs.api.router")  # 招聘会: fairs, booths, interest
api.add_router("/checkin/", "apps.fairs.api_checkin.router")  # 签到: fairs and 宣讲会
api.add_router("/infosessions/", "apps.infosessions.api.router")  # 宣讲会
api.add_router("/recommendations/", "apps.recommendations.api.router")  # 就业推荐表
api.add_router("/inbox/", "apps.backoffice.api_inbox.router")  # 待办 (every review queue)
api.add_router("/staff-accounts/", "apps.backoffice.api_accounts.router")  # 管理员账号
api.add_router("/audit/", "apps.backoffice.api_audit.router")  # 操作日志
api.add_router("/statistics/", "apps.statistics.api.router")  # 就业统计
api.add_router("/directory/", "apps.graduates.api_directory.router")  # 毕业生查询
