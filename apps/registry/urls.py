from django.urls import path

from apps.registry import views

urlpatterns = [
    path("register/registry/", views.comparison_view, name="registry-comparison"),
    path("staff/registry/", views.monitor_view, name="staff-registry"),
    path("staff/registry/retry-dead/", views.retry_dead_view, name="staff-registry-retry-dead"),
    path("staff/registry/<int:pk>/retry/", views.retry_view, name="staff-registry-retry"),
]
