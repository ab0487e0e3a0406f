from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.core.api import api

urlpatterns = [
    path(settings.PLATFORM_ADMIN_PATH, admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("apps.core.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.graduates.urls")),
    path("", include("apps.reference.urls")),
    path("", include("apps.roster.urls")),
    path("", include("apps.notices.urls")),
    path("", include("apps.corrections.urls")),
    path("", include("apps.archives.urls")),
    path("", include("apps.destinations.urls")),
    path("", include("apps.signing.urls_staff")),
    path("", include("apps.signing.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.registry.urls")),
    path("", include("apps.registry.urls_national")),
    path("", include("apps.employers.urls")),
    path("", include("apps.jobs.urls_postings")),
    path("", include("apps.jobs.urls_search")),
    path("", include("apps.jobs.urls_intentions")),
    path("", include("apps.resumes.urls")),
    path("", include("apps.applications.urls")),
    path("", include("apps.reports.urls")),
    path("", include("apps.fairs.urls")),
    path("", include("apps.fairs.urls_checkin")),
    path("", include("apps.infosessions.urls")),
    path("", include("apps.recommendations.urls")),
    path("", include("apps.backoffice.urls_inbox")),
    path("", include("apps.backoffice.urls_accounts")),
    path("", include("apps.backoffice.urls_audit")),
    path("", include("apps.statistics.urls")),
]

if settings.PLATFORM_BENCH_BASELINE:  # the load benchmark's baseline (bench/load.py); 404 otherwise
    urlpatterns.insert(0, path("bench/", include("apps.core.bench_views")))

# Chinese error pages for the site, the JSON error shape under /api/ (apps/core/error_pages.py)
handler400 = "apps.core.error_pages.bad_request"
handler403 = "apps.core.error_pages.permission_denied"
handler404 = "apps.core.error_pages.page_not_found"
handler500 = "apps.core.error_pages.server_error"
