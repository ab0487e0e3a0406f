"""The JSON API under /api/v1/: one NinjaAPI, one error shape, session or bearer auth.

Error shape (every non-2xx answer):
    {"error": {"code": "invalid", "message": "中文说明", "fields": {"field": "中文说明"}}}
"""

from __future__ import annotations

from django.http import Http404
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
def _not_found(request, exc):
    return api.create_response(request, error_body("not_found", "记录不存在或无权访问"), status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, error_body("http", str(exc.message)), status=exc.status_code)


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
