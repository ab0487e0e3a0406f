from django.urls import path

from apps.destinations import views

urlpatterns = [
    path("register/destination/", views.destination_view, name="graduate-destination"),
    path("register/destination/images/", views.destination_images_add_view, name="graduate-destination-images"),
    path("register/destination/images/<int:pk>/delete/", views.destination_image_delete_view,
         name="graduate-destination-image-delete"),
    path("register/destination/submit/", views.destination_submit_view, name="graduate-destination-submit"),
    path("destinations/images/<int:pk>/", views.destination_image_view, name="destination-image"),
    path("staff/destinations/", views.staff_queue_view, name="staff-destinations"),
    path("staff/destinations/batch-approve/", views.staff_batch_approve_view, name="staff-destinations-batch-approve"),
    path("staff/destinations/<int:pk>/", views.staff_destination_detail_view, name="staff-destination-detail"),
    path("staff/destinations/<int:pk>/review/", views.staff_destination_review_view, name="staff-destination-review"),
]
