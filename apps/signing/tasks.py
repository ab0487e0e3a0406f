from django_tasks import task

from apps.signing.documents import agreement_generate_pdf


@task()
def generate_agreement_pdf(agreement_id: int) -> bool:
    """Idempotent (see agreement_generate_pdf): safe to re-enqueue after a lost worker."""
    return agreement_generate_pdf(agreement_id)


@task()
def expire_invitations() -> int:
    from apps.signing.services import invitations_expire

    return invitations_expire()
