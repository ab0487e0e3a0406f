from django_tasks import task

from apps.signing.documents import agreement_generate_pdf


@task()
def generate_agreement_pdf(agreement_id: int) -> None:
    agreement_generate_pdf(agreement_id)


@task()
def expire_invitations() -> int:
    from apps.signing.services import invitations_expire

    return invitations_expire()
