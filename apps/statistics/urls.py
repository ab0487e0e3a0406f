from django.urls import path

from apps.statistics import views

urlpatterns = [
    path("staff/statistics/", views.dashboard_view, name="staff-statistics"),
    path("staff/statistics/province/", views.province_view, name="staff-statistics-province"),
    path("staff/statistics/export.xlsx", views.export_view, name="staff-statistics-export"),
    path("staff/statistics/freeze/", views.freeze_view, name="staff-statistics-freeze"),
    path("staff/statistics/frozen/", views.frozen_list_view, name="staff-statistics-frozen"),
    path("staff/statistics/frozen/<int:pk>/", views.frozen_detail_view, name="staff-statistics-frozen-detail"),
    path("staff/statistics/frozen/<int:pk>/export.xlsx", views.frozen_export_view,
         name="staff-statistics-frozen-export"),
]
