"""Staff and employer accounts for the operator (superusers only). Graduates' accounts are
created by their first login and are not edited here."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError

from apps.accounts.models import User
from apps.accounts.services import staff_authenticate
from apps.core.errors import DomainError
from apps.core.net import client_address


class PlatformAdminLoginForm(AdminAuthenticationForm):
    """The admin's login (后台登录) goes through staff_authenticate: the same account lockout
    and address throttle as the staff login, instead of Django's unthrottled authenticate()."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                user = staff_authenticate(username=username, password=password,
                                          client_address=client_address(self.request))
            except DomainError as exc:
                raise ValidationError(exc.message, code=exc.code) from None
            user.backend = "django.contrib.auth.backends.ModelBackend"
            self.confirm_login_allowed(user)  # superusers only (is_staff)
            self.user_cache = user
        return self.cleaned_data


admin.site.login_form = PlatformAdminLoginForm


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
