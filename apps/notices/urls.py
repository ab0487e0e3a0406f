from django.urls import path

from apps.notices import views

urlpatterns = [
    path("notices/", views.notice_list_view, name="notice-list"),
    path("notices/<int:pk>/", views.notice_detail_view, name="notice-detail"),
    path("staff/notices/", views.staff_notices_view, name="staff-notices"),
    path("staff/notices/new/", views.staff_notice_edit_view, name="staff-notice-new"),
    path("staff/notices/<int:pk>/edit/", views.staff_notice_edit_view, name="staff-notice-edit"),
]
