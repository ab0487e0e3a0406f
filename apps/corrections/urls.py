from django.urls import path

from apps.corrections import views

urlpatterns = [
    path("register/corrections/", views.my_corrections_view, name="correction-list"),
    path("register/corrections/new/", views.new_correction_view, name="correction-new"),
    path("register/corrections/<int:pk>/", views.my_correction_detail_view, name="correction-detail"),
    path("register/corrections/<int:pk>/withdraw/", views.withdraw_view, name="correction-withdraw"),
    path("corrections/<int:pk>/images/<int:image_id>/", views.image_view, name="correction-image"),
    path("staff/corrections/", views.staff_queue_view, name="staff-corrections"),
    path("staff/corrections/<int:pk>/", views.staff_detail_view, name="staff-correction-detail"),
    path("staff/corrections/<int:pk>/accept/", views.staff_accept_view, name="staff-correction-accept"),
    path("staff/corrections/<int:pk>/reveal/", views.staff_reveal_view, name="staff-correction-reveal"),
    path("staff/corrections/<int:pk>/reject/", views.staff_reject_view, name="staff-correction-reject"),
]
