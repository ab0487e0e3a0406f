from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "apps.organisations"
    label = "organisations"

    def ready(self) -> None:
        # The stored school policy is read once per school per request (policy.py).
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save

        from apps.organisations import policy
        from apps.organisations.models import SchoolPolicy

        request_started.connect(policy.request_started, dispatch_uid="school-policy-memo-start")
        request_finished.connect(policy.request_finished, dispatch_uid="school-policy-memo-end")
        post_save.connect(policy.forget_policy, sender=SchoolPolicy, dispatch_uid="school-policy-memo-save")
        post_delete.connect(policy.forget_policy, sender=SchoolPolicy, dispatch_uid="school-policy-memo-delete")
