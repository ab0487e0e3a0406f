from django.urls import path

from apps.core import views

urlpatterns = [
    path("", views.root_view, name="root"),
    path("staff/", views.staff_home_view, name="staff-home"),
    path("staff/province/schools/", views.province_schools_view, name="province-schools"),
    path("employer/", views.employer_home_view, name="employer-home"),
    path("media/<path:name>", views.private_media_view, name="private-media"),
]
