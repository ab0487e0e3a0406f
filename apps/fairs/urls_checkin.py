"""签到 pages for fairs and 宣讲会 (apps/fairs/views_checkin.py)."""

from django.urls import path

from apps.fairs import views_checkin as v

urlpatterns = [
    # staff (desktop / projector)
    path("staff/fairs/<int:pk>/checkin/", v.staff_fair_checkin_screen_view, name="staff-fair-checkin-screen"),
    path("staff/fairs/<int:pk>/checkin/card/", v.staff_fair_checkin_card_view, name="staff-fair-checkin-card"),
    path("staff/fairs/<int:pk>/attendance/", v.staff_fair_attendance_view, name="staff-fair-attendance"),
    path("staff/infosessions/<int:pk>/checkin/", v.staff_session_checkin_screen_view,
         name="staff-session-checkin-screen"),
    path("staff/infosessions/<int:pk>/checkin/card/", v.staff_session_checkin_card_view,
         name="staff-session-checkin-card"),
    path("staff/infosessions/<int:pk>/attendance/", v.staff_session_attendance_view, name="staff-session-attendance"),
    # graduate (phone): what the QR opens, the booths after check-in, 到访
    path("checkin/fair/<int:pk>/booths/", v.fair_checkin_booths_view, name="fair-checkin-booths"),
    path("checkin/fair/<int:pk>/<str:code>/", v.fair_checkin_view, name="fair-checkin"),
    path("checkin/session/<int:pk>/<str:code>/", v.session_checkin_view, name="session-checkin"),
    path("services/fairs/booths/<int:pk>/visit/", v.fair_booth_visit_view, name="fair-booth-visit"),
    # employer
    path("employer/fairs/booths/<int:booth_id>/visitors/", v.employer_fair_visitors_view,
         name="employer-fair-visitors"),
    path("employer/fairs/booths/<int:booth_id>/visitors/<int:visit_id>/", v.employer_fair_visitor_view,
         name="employer-fair-visitor"),
]
