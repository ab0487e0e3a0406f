from django.urls import path

from apps.jobs import views_postings as employer
from apps.jobs import views_postings_staff as staff

urlpatterns: list = [
    path("employer/postings/", employer.employer_postings_view, name="employer-postings"),
    path("employer/postings/new/", employer.employer_posting_new_view, name="employer-posting-new"),
    path("employer/postings/<int:pk>/", employer.employer_posting_detail_view, name="employer-posting-detail"),
    path("employer/postings/<int:pk>/edit/", employer.employer_posting_edit_view, name="employer-posting-edit"),
    path("employer/postings/<int:pk>/submit/", employer.employer_posting_submit_view, name="employer-posting-submit"),
    path("employer/postings/<int:pk>/close/", employer.employer_posting_close_view, name="employer-posting-close"),
    path("staff/postings/", staff.staff_postings_view, name="staff-postings"),
    path("staff/postings/<int:pk>/", staff.staff_posting_detail_view, name="staff-posting-detail"),
    path("staff/postings/<int:pk>/review/", staff.staff_posting_review_view, name="staff-posting-review"),
    path("staff/postings/<int:pk>/take-down/", staff.staff_posting_take_down_view, name="staff-posting-take-down"),
]
