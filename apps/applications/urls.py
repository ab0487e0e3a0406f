from django.urls import path

from apps.applications import views, views_employer

urlpatterns = [
    # the graduate (phone, 服务)
    path("services/jobs/<int:pk>/apply/", views.apply_view, name="application-apply"),
    path("services/applications/", views.my_applications_view, name="my-applications"),
    path("services/applications/<int:pk>/", views.application_detail_view, name="application-detail"),
    path("services/applications/<int:pk>/withdraw/", views.withdraw_view, name="application-withdraw"),
    # the employer (phone and desktop)
    path("employer/applications/", views_employer.employer_applications_view, name="employer-applications"),
    path("employer/postings/<int:pk>/applicants/", views_employer.employer_applicants_view,
         name="employer-applicants"),
    path("employer/applications/<int:pk>/", views_employer.employer_application_detail_view,
         name="employer-application-detail"),
    path("employer/applications/<int:pk>/contact/", views_employer.employer_application_contact_view,
         name="employer-application-contact"),
    path("employer/applications/<int:pk>/advance/", views_employer.employer_application_advance_view,
         name="employer-application-advance"),
    path("employer/applications/<int:pk>/sign/", views_employer.employer_application_sign_view,
         name="employer-application-sign"),
]
