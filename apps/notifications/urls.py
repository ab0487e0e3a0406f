from django.urls import path

from apps.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list_view, name="notification-list"),
]
