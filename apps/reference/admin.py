from django.contrib import admin

from apps.reference.models import CodeEntry, CodeTable


class CodeEntryInline(admin.TabularInline):
    model = CodeEntry
    extra = 0
    fields = ("scheme", "code", "name", "group", "parent_code", "status", "is_active")


@admin.register(CodeTable)
class CodeTableAdmin(admin.ModelAdmin):
    """Code tables are replaced by `manage.py load_reference`; edits here are for emergencies."""

    list_display = ("slug", "name", "loaded_at")
    inlines = [CodeEntryInline]
