from django.urls import path

from apps.reports import views, views_staff

urlpatterns = [
    path("services/report/", views.report_new_view, name="report-new"),
    path("services/reports/", views.my_reports_view, name="my-reports"),
    path("services/reports/<int:pk>/", views.report_detail_view, name="report-detail"),
    path("reports/<int:pk>/images/<int:image_id>/", views.report_image_view, name="report-image"),
    path("staff/reports/", views_staff.staff_reports_view, name="staff-reports"),
    path("staff/reports/<int:pk>/", views_staff.staff_report_detail_view, name="staff-report-detail"),
    path("staff/reports/<int:pk>/decide/", views_staff.staff_report_decide_view, name="staff-report-decide"),
]
