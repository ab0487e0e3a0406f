from django.urls import path

from apps.jobs import views_intentions

urlpatterns: list = [
    path("me/intentions/", views_intentions.intentions_view, name="job-intentions"),
]
