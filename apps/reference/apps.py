from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "apps.reference"
    label = "reference"

    def ready(self) -> None:
        # A background job reads the reference version once per job, like a request.
        from django_tasks.signals import task_finished, task_started

        from apps.reference.selectors import job_finished, job_started

        task_started.connect(job_started, dispatch_uid="reference-job-started")
        task_finished.connect(job_finished, dispatch_uid="reference-job-finished")
