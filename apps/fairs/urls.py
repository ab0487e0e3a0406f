from django.urls import path

from apps.fairs import views, views_employer, views_staff

urlpatterns = [
    # staff (desktop)
    path("staff/fairs/", views_staff.staff_fairs_view, name="staff-fairs"),
    path("staff/fairs/new/", views_staff.staff_fair_new_view, name="staff-fair-new"),
    path("staff/fairs/<int:pk>/", views_staff.staff_fair_view, name="staff-fair"),
    path("staff/fairs/<int:pk>/edit/", views_staff.staff_fair_edit_view, name="staff-fair-edit"),
    path("staff/fairs/<int:pk>/cancel/", views_staff.staff_fair_cancel_view, name="staff-fair-cancel"),
    path("staff/fairs/<int:pk>/booths/<int:booth_id>/decide/", views_staff.staff_fair_booth_decide_view,
         name="staff-fair-booth-decide"),
    # employers (phone)
    path("employer/fairs/", views_employer.employer_fairs_view, name="employer-fairs"),
    path("employer/fairs/<int:pk>/", views_employer.employer_fair_view, name="employer-fair"),
    path("employer/fairs/booths/<int:pk>/withdraw/", views_employer.employer_booth_withdraw_view,
         name="employer-fair-booth-withdraw"),
    # graduates (phone, tab 服务)
    path("services/fairs/", views.fairs_view, name="fairs"),
    path("services/fairs/<int:pk>/", views.fair_view, name="fair"),
    path("services/fairs/<int:pk>/interest/", views.fair_interest_view, name="fair-interest"),
]
