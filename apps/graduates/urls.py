from django.urls import path

from apps.graduates import views

urlpatterns = [
    path("home/", views.home_view, name="graduate-home"),
    path("register/", views.register_view, name="graduate-register"),
    path("services/", views.services_view, name="graduate-services"),
    path("me/", views.me_view, name="graduate-me"),
    path("me/settings/", views.settings_view, name="graduate-settings"),
    path("me/history/", views.history_view, name="graduate-history"),
    path("register/origin/", views.origin_view, name="graduate-origin"),
    path("register/contacts/", views.contacts_view, name="graduate-contacts"),
    path("staff/graduates/", views.staff_graduates_view, name="staff-graduates"),
    path("staff/graduates/export/", views.staff_graduates_export_view, name="staff-graduates-export"),
    path("staff/graduates/<int:pk>/", views.staff_graduate_detail_view, name="staff-graduate-detail"),
    path("staff/graduates/<int:pk>/history/", views.staff_graduate_history_view, name="staff-graduate-history"),
    path("staff/graduates/<int:pk>/reset-pin/", views.staff_reset_pin_view, name="staff-graduate-reset-pin"),
]
