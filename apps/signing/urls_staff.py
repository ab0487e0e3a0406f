"""Self-print, verification, termination, staff agreement/termination pages and 学校设置."""

from django.urls import path

from apps.organisations import views_settings
from apps.signing import views_print, views_staff, views_termination, views_verify

urlpatterns = [
    # 协议书自助打印: the public PC page and the graduate's claim page
    path("print/", views_print.print_pc_view, name="print-pc"),
    path("print/status/", views_print.print_pc_status_view, name="print-pc-status"),
    path("print/<int:pk>/pdf", views_print.print_pc_pdf_view, name="print-pc-pdf"),
    path("signing/print/", views_print.graduate_print_view, name="signing-print"),
    # 协议验证 (public; the PDF's QR opens /verify/<code>)
    path("verify/", views_verify.verify_index_view, name="verify"),
    path("verify/<str:code>/", views_verify.verify_detail_view, name="verify-detail"),
    path("verify/<str:code>", views_verify.verify_detail_view, name="verify-detail-short"),
    # 网络解约申请
    path("signing/termination/", views_termination.termination_view, name="signing-termination"),
    path("signing/termination/letters/<int:pk>/", views_termination.termination_letter_view, name="termination-letter"),
    # staff
    path("staff/agreements/", views_staff.staff_agreements_view, name="staff-agreements"),
    path("staff/agreements/<int:pk>/", views_staff.staff_agreement_detail_view, name="staff-agreement-detail"),
    path("staff/agreements/<int:pk>/pdf", views_staff.staff_agreement_pdf_view, name="staff-agreement-pdf"),
    path("staff/agreements/<int:pk>/pdf/retry", views_staff.staff_agreement_pdf_retry_view,
         name="staff-agreement-pdf-retry"),
    path("staff/terminations/", views_staff.staff_terminations_view, name="staff-terminations"),
    path("staff/terminations/<int:pk>/", views_staff.staff_termination_detail_view, name="staff-termination-detail"),
    path("staff/terminations/<int:pk>/review/", views_staff.staff_termination_review_view,
         name="staff-termination-review"),
    path("staff/settings/", views_settings.school_settings_view, name="staff-settings"),
]
