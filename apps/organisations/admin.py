"""Django admin (superusers only): the platform operator creates provinces, schools,
colleges, majors and employers here."""

from django.contrib import admin

from apps.organisations.models import College, Employer, Major, Province, School, SchoolPolicy


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province", "current_cohort", "is_active")
    list_filter = ("province", "is_active")
    search_fields = ("code", "name", "short_name")


@admin.register(College)
class CollegeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "school")
    list_filter = ("school",)
    search_fields = ("name",)


@admin.register(Major)
class MajorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "college", "school")
    list_filter = ("school",)
    search_fields = ("code", "name")


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("credit_code", "name", "status", "credit_code_flagged")
    list_filter = ("status", "credit_code_flagged")
    search_fields = ("credit_code", "name")


@admin.register(SchoolPolicy)
class SchoolPolicyAdmin(admin.ModelAdmin):
    list_display = ("school", "signing_opens_on", "termination_opens_on", "invitation_validity_days", "max_terminations")
