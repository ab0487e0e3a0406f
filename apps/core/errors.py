"""One error type for every refused business action; API and pages map it to one shape."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal a user can understand: `message` is Chinese and shown as is."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"

    def __init__(self, message: str = "记录不存在或无权访问", **kwargs):
        super().__init__(message, **kwargs)


class Forbidden(DomainError):
    status = 403
    code = "forbidden"

    def __init__(self, message: str = "无权执行此操作", **kwargs):
        super().__init__(message, **kwargs)


class Throttled(DomainError):
    status = 429
    code = "throttled"
