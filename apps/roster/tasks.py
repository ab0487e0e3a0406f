"""Background work of the roster import (django-tasks). Enqueued on transaction commit."""

from __future__ import annotations

from django_tasks import task

from apps.roster import services


@task()
def validate_roster_import(import_id: int) -> None:
    services.roster_import_run_validation(import_id=import_id)


@task()
def commit_roster_import(import_id: int, actor_id: int, client_address: str = "") -> None:
    services.roster_import_run_commit(import_id=import_id, actor_id=actor_id, client_address=client_address)
