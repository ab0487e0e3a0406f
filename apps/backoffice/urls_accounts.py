from django.urls import path

from apps.backoffice import views_accounts as views

urlpatterns = [
    path("staff/accounts/", views.staff_accounts_view, name="staff-accounts"),
    path("staff/accounts/new/", views.staff_account_new_view, name="staff-account-new"),
    path("staff/accounts/<int:pk>/", views.staff_account_detail_view, name="staff-account-detail"),
    path("staff/accounts/<int:pk>/disable/", views.staff_account_disable_view, name="staff-account-disable"),
    path("staff/accounts/<int:pk>/enable/", views.staff_account_enable_view, name="staff-account-enable"),
    path("staff/accounts/<int:pk>/reset/", views.staff_account_reset_view, name="staff-account-reset"),
    path("staff/password/", views.staff_password_view, name="staff-password"),
]
