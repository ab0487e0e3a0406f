from django.urls import path

from apps.archives import views

urlpatterns = [
    path("register/archive/", views.archive_view, name="graduate-archive"),
    path("staff/archives/", views.staff_list_view, name="staff-archives"),
    path("staff/archives/export/", views.staff_export_view, name="staff-archives-export"),
    path("staff/archives/tracking/", views.staff_tracking_view, name="staff-archives-tracking"),
    path("staff/archives/tracking/import/", views.staff_tracking_import_view, name="staff-archives-tracking-import"),
    path("staff/archives/<int:pk>/", views.staff_detail_view, name="staff-archive-detail"),
]
