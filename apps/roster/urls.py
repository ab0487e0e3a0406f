from django.urls import path

from apps.roster import views

urlpatterns = [
    path("staff/roster/", views.imports_view, name="roster-imports"),
    path("staff/roster/template.xlsx", views.template_view, name="roster-template"),
    path("staff/roster/duplicates/", views.duplicates_view, name="roster-duplicates"),
    path("staff/roster/<int:pk>/", views.import_detail_view, name="roster-import-detail"),
    path("staff/roster/<int:pk>/progress/", views.import_progress_view, name="roster-import-progress"),
    path("staff/roster/<int:pk>/commit/", views.import_commit_view, name="roster-import-commit"),
    path("staff/roster/<int:pk>/retry/", views.import_retry_view, name="roster-import-retry"),
    path("staff/roster/<int:pk>/issues.xlsx", views.issues_download_view, name="roster-import-issues-xlsx"),
]
