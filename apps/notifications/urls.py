from django.urls import path

from apps.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list_view, name="notification-list"),
    path("notifications/settings/", views.notification_settings_view, name="notification-settings"),
]
