"""Reactions of online signing to other apps' events."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from apps.destinations.models import DestinationSource, DestinationStatus
from apps.destinations.signals import destination_reviewed


@receiver(destination_reviewed)
def on_destination_reviewed(sender, destination, actor, approved, **kwargs):
    """School approval of an online-signed destination issues the agreement PDF; a return
    tells the employer what to correct (the agreement stands)."""
    if destination.source != DestinationSource.ONLINE_SIGNING:
        return
    from apps.notifications.services import notify
    from apps.signing.models import Agreement, AgreementStatus
    from apps.signing.tasks import generate_agreement_pdf

    agreement = Agreement.objects.filter(graduate_id=destination.graduate_id, status=AgreementStatus.IN_FORCE).first()
    if agreement is None:
        return
    if destination.status == DestinationStatus.SCHOOL_APPROVED:
        transaction.on_commit(lambda: generate_agreement_pdf.enqueue(agreement.pk))
        notify(kind="agreement_approved", title="网签协议学校审核通过，可以自助打印协议书", graduate=agreement.graduate)
        notify(kind="agreement_approved", title=f"{agreement.graduate.name}的网签协议学校审核通过", employer=agreement.employer)
    elif destination.status == DestinationStatus.RETURNED:
        body = f"退回原因：{destination.return_reason}。学校审核只针对数据规范性，协议仍然有效。"
        notify(kind="agreement_returned", title="网签信息被退回，请用人单位更正", body=body, graduate=agreement.graduate)
        notify(kind="agreement_returned", title=f"{agreement.graduate.name}的网签信息被学校退回，请更正单位信息",
               body=body, employer=agreement.employer)
    else:
        notify(kind="agreement_reviewed", title="网签信息院系初审通过，待学校审核", graduate=agreement.graduate)
