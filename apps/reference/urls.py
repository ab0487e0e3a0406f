from django.urls import path

from apps.reference import views

urlpatterns = [path("reference/", views.browse_view, name="reference-browse")]
