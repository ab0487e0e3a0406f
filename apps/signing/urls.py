"""网络签约 pages of the graduate (/me/card/, /signing/…) and the employer (/sign/…, /employer/signing/…).
The staff's review and print pages live in urls_staff.py."""

from django.urls import path

from apps.signing import views_employer as employer
from apps.signing import views_graduate as graduate

urlpatterns = [
    # the graduate
    path("me/card/", graduate.card_view, name="signing-card"),
    path("signing/invitations/", graduate.invitations_view, name="signing-invitations"),
    path("signing/invitations/<int:pk>/", graduate.invitation_view, name="signing-invitation"),
    path("signing/invitations/<int:pk>/accept/", graduate.accept_view, name="signing-invitation-accept"),
    path("signing/invitations/<int:pk>/decline/", graduate.decline_view, name="signing-invitation-decline"),
    path("signing/invitations/<int:pk>/confirm/", graduate.confirm_view, name="signing-invitation-confirm"),
    path("signing/invitations/<int:pk>/certificate/", graduate.certificate_view, name="signing-invitation-certificate"),
    path("signing/agreement/", graduate.agreement_view, name="signing-agreement"),
    # the employer, no account needed (token-protected)
    path("sign/code/", employer.card_code_view, name="sign-code"),
    path("sign/c/<str:token>/", employer.card_view, name="sign-card"),
    path("sign/c/<str:token>/invite/", employer.invite_view, name="sign-invite"),
    path("sign/follow/<str:token>/", employer.follow_view, name="sign-follow"),
    path("sign/follow/<str:token>/withdraw/", employer.follow_withdraw_view, name="sign-follow-withdraw"),
    path("sign/follow/<str:token>/correction/", employer.follow_correction_view, name="sign-follow-correction"),
    # a registered employer account
    path("employer/signing/start/", employer.employer_start_view, name="employer-signing-start"),
    path("employer/signing/invitations/<int:pk>/", employer.employer_invitation_view, name="employer-invitation"),
    path("employer/signing/invitations/<int:pk>/withdraw/", employer.employer_withdraw_view,
         name="employer-invitation-withdraw"),
    path("employer/signing/invitations/<int:pk>/correction/", employer.employer_correction_view,
         name="employer-invitation-correction"),
]
