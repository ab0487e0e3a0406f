from django.urls import path

from apps.roster import views

urlpatterns = [
    path("staff/roster/", views.imports_view, name="roster-imports"),
    path("staff/roster/duplicates/", views.duplicates_view, name="roster-duplicates"),
]
