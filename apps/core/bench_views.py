"""The bare baseline of the load benchmark (bench/load.py): 基准页面, what the cheapest possible
logged-in graduate page costs in this exact settings stack.

Mounted only when PLATFORM_BENCH_BASELINE is true (config/urls.py); otherwise these paths
are 404. Each hot page is reported as a ratio of this page's throughput measured in the same
run, so the figures compare the application's own work, not the machine.

What a baseline request does, and nothing more: the whole middleware stack, the session
lookup and user load (AuthenticationMiddleware), one primary-key query of the graduate's
own row (indexed), and a tiny template rendered with the project's context processors. The
JSON twin does the same through django-ninja with the API's own authentication (bearer
token or session), so the API reads are compared with the same framework cost.
"""

from __future__ import annotations

from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.urls import path
from ninja import NinjaAPI, Schema

from apps.core.api import AUTH
from apps.graduates.models import Graduate


def _own_name(user) -> str | None:
    # the one indexed primary-key query of the baseline
    row = Graduate.objects.filter(pk=user.graduate_id or 0).values_list("name", flat=True).first()
    return row


def baseline_page(request):
    """Session-authenticated page: one PK query and a tiny template."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden("请先登录")
    return render(request, "core/bench_baseline.html", {"name": _own_name(request.user)})


bench_api = NinjaAPI(title="bench baseline", version="bench", urls_namespace="bench-api",
                     docs_url=None, openapi_url=None)


class BaselineOut(Schema):
    name: str | None


@bench_api.get("/baseline", response=BaselineOut, auth=AUTH)
def baseline_json(request):
    """The JSON twin: the API's authentication, one PK query, a one-field schema."""
    return {"name": _own_name(request.user)}


urlpatterns = [
    path("page/", baseline_page, name="bench-baseline"),
    path("api/", bench_api.urls),
]
