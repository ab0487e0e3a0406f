class NoStoreForPersonalPagesMiddleware:
    """Pages for a logged-in user are never cached by the browser or a proxy, so
    解除绑定并重新登录 leaves no stale copy of a graduate's data behind."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response


class DomainErrorPageMiddleware:
    """Pages: a DomainError escaping a view becomes a page with its Chinese message
    (403 for Forbidden, 404 for NotFound, 429 for Throttled, 400 otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from apps.core.errors import DomainError

        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"message": exception.message}, status=exception.status)
        return None
