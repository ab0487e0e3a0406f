from django.urls import path

from apps.registry import views_national

urlpatterns = [
    path("staff/registry/national/", views_national.national_view, name="registry-national"),
    path("staff/registry/national/export/", views_national.national_export_view, name="registry-national-export"),
    path("staff/registry/national/check/", views_national.national_check_view, name="registry-national-check"),
    path("staff/registry/national/check/<str:token>/", views_national.national_report_view,
         name="registry-national-report"),
    path("staff/registry/national/check/<str:token>/download/", views_national.national_report_download_view,
         name="registry-national-report-download"),
]
