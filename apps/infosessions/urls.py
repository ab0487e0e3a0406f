from django.urls import path

from apps.infosessions import views, views_employer, views_staff

urlpatterns = [
    # graduates (phone, tab 服务)
    path("services/infosessions/", views.sessions_view, name="sessions"),
    path("services/infosessions/<int:pk>/", views.session_view, name="session"),
    path("services/infosessions/<int:pk>/signup/", views.session_signup_view, name="session-signup"),
    # employers (phone)
    path("employer/infosessions/", views_employer.employer_sessions_view, name="employer-sessions"),
    path("employer/infosessions/new/", views_employer.employer_session_new_view, name="employer-session-new"),
    path("employer/infosessions/<int:pk>/", views_employer.employer_session_view, name="employer-session"),
    path("employer/infosessions/<int:pk>/withdraw/", views_employer.employer_session_withdraw_view,
         name="employer-session-withdraw"),
    # school and province staff (desktop)
    path("staff/infosessions/", views_staff.staff_sessions_view, name="staff-sessions"),
    path("staff/infosessions/rooms/", views_staff.staff_rooms_view, name="staff-rooms"),
    path("staff/infosessions/rooms/<int:pk>/edit/", views_staff.staff_room_edit_view, name="staff-room-edit"),
    path("staff/infosessions/rooms/<int:pk>/deactivate/", views_staff.staff_room_deactivate_view,
         name="staff-room-deactivate"),
    path("staff/infosessions/<int:pk>/", views_staff.staff_session_view, name="staff-session"),
    path("staff/infosessions/<int:pk>/decide/", views_staff.staff_session_decide_view, name="staff-session-decide"),
]
