"""Staff and employer accounts for the operator (superusers only). Graduates' accounts are
created by their first login and are not edited here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from apps.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "school", "college", "province", "employer", "is_active")
    list_filter = ("role", "is_active", "school")
    search_fields = ("username", "display_name")
    readonly_fields = ("graduate", "failed_logins", "locked_until", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password", "display_name", "is_active")}),
        ("角色与范围", {"fields": ("role", "province", "school", "college", "employer", "graduate")}),
        ("登录", {"fields": ("failed_logins", "locked_until", "last_login", "date_joined")}),
        ("平台超级管理员", {"fields": ("is_superuser", "is_staff")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "display_name", "role", "province", "school",
                           "college", "employer")}),
    )
