from django.urls import path

from apps.resumes import views, views_employer

urlpatterns = [
    path("me/resume/", views.resume_home_view, name="resume-home"),
    path("me/resume/items/new/", views.resume_item_new_view, name="resume-item-new"),
    path("me/resume/items/<int:pk>/edit/", views.resume_item_edit_view, name="resume-item-edit"),
    path("me/resume/items/<int:pk>/delete/", views.resume_item_delete_view, name="resume-item-delete"),
    path("me/resume/items/<int:pk>/move/", views.resume_item_move_view, name="resume-item-move"),
    path("me/resume/settings/", views.resume_settings_view, name="resume-settings"),
    path("me/resume/preview/", views.resume_preview_view, name="resume-preview"),
    path("me/resume/pdf/", views.resume_pdf_view, name="resume-pdf"),
    path("employer/resumes/", views_employer.employer_resumes_view, name="employer-resumes"),
    path("employer/resumes/<int:pk>/", views_employer.employer_resume_detail_view, name="employer-resume-detail"),
]
