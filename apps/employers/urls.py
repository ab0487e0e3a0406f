from django.urls import path

from apps.employers import views, views_staff

urlpatterns = [
    path("employer/register/", views.register_view, name="employer-register"),
    path("employer/profile/", views.profile_view, name="employer-profile"),
    path("employer/members/", views.members_view, name="employer-members"),
    path("employer/members/<int:pk>/decide/", views.member_decide_view, name="employer-member-decide"),
    path("staff/employers/", views_staff.queue_view, name="staff-employers"),
    path("staff/employers/<int:pk>/", views_staff.detail_view, name="staff-employer-detail"),
    path("staff/employers/<int:pk>/licence/", views_staff.licence_view, name="staff-employer-licence"),
    path("staff/employers/<int:pk>/review/", views_staff.review_view, name="staff-employer-review"),
    path("staff/employers/<int:pk>/suspend/", views_staff.suspend_view, name="staff-employer-suspend"),
    path("staff/employers/<int:pk>/reinstate/", views_staff.reinstate_view, name="staff-employer-reinstate"),
]
