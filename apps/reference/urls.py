from django.urls import path

from apps.reference import views

urlpatterns = [
    path("reference/", views.browse_view, name="reference-browse"),
    path("reference/divisions/picker", views.division_picker_view, name="reference-division-picker"),
    path("reference/divisions/options", views.division_options_view, name="reference-division-options"),
    path("reference/divisions/search", views.division_search_view, name="reference-division-search"),
]
