from django.apps import AppConfig


class GraduatesConfig(AppConfig):
    name = "apps.graduates"
    label = "graduates"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from apps.graduates import counts
        from apps.graduates.models import Graduate

        # single-row writes keep CollegeGraduateCount; bulk writers call counts.graduate_counts_add
        post_save.connect(counts._graduate_saved, sender=Graduate, dispatch_uid="graduate-counts-save")
        post_delete.connect(counts._graduate_deleted, sender=Graduate, dispatch_uid="graduate-counts-delete")
