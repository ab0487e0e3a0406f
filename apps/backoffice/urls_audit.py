from django.urls import path

from apps.backoffice import views_audit as views

urlpatterns = [
    path("staff/audit/", views.staff_audit_view, name="staff-audit"),
    path("staff/audit/verify/", views.staff_audit_verify_view, name="staff-audit-verify"),
]
