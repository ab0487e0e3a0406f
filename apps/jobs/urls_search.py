from django.urls import path

from apps.jobs import views_search as views

urlpatterns = [
    path("services/jobs/", views.search_view, name="job-search"),
    path("services/jobs/favourites/", views.favourites_view, name="job-favourites"),
    path("services/jobs/<int:pk>/", views.detail_view, name="job-detail"),
    path("services/jobs/<int:pk>/favourite/", views.favourite_view, name="job-favourite"),
    path("services/employers/<int:pk>/", views.employer_view, name="job-employer"),
]
