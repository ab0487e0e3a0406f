from django.urls import path

from apps.accounts import views

urlpatterns = [
    path("login/", views.graduate_login_view, name="graduate-login"),
    path("login/schools/", views.school_search_view, name="school-search"),
    path("me/pin/", views.graduate_pin_view, name="graduate-pin"),
    path("me/unbind/", views.graduate_unbind_view, name="graduate-unbind"),
    path("staff/login/", views.staff_login_view, name="staff-login"),
    path("staff/logout/", views.staff_logout_view, name="staff-logout"),
    path("healthz", views.healthz, name="healthz"),
]
