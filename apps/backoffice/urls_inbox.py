from django.urls import path

from apps.backoffice import views_inbox

urlpatterns = [
    path("staff/inbox/", views_inbox.inbox_view, name="staff-inbox"),
    path("staff/inbox/<slug:key>/", views_inbox.inbox_queue_view, name="staff-inbox-queue"),
    path("staff/inbox/<slug:key>/batch-approve/", views_inbox.inbox_batch_view, name="staff-inbox-batch-approve"),
]
