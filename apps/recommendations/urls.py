from django.urls import path

from apps.recommendations import views

urlpatterns = [
    path("me/recommendation/", views.my_recommendation_view, name="my-recommendation"),
    path("me/recommendation/request/", views.my_recommendation_request_view, name="my-recommendation-request"),
    path("me/recommendation/pdf/", views.my_recommendation_pdf_view, name="my-recommendation-pdf"),
    path("staff/recommendations/", views.staff_recommendations_view, name="staff-recommendations"),
    path("staff/recommendations/graduates/<int:graduate_id>/", views.staff_recommendation_view,
         name="staff-recommendation"),
    path("staff/recommendations/graduates/<int:graduate_id>/issue/", views.staff_recommendation_issue_view,
         name="staff-recommendation-issue"),
    path("staff/recommendations/forms/<int:pk>/void/", views.staff_recommendation_void_view,
         name="staff-recommendation-void"),
    path("staff/recommendations/forms/<int:pk>/pdf/", views.staff_recommendation_pdf_view,
         name="staff-recommendation-pdf"),
]
