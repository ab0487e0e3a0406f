from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    GRADUATE = "graduate", "毕业生"
    COLLEGE_STAFF = "college_staff", "院系管理员"
    SCHOOL_STAFF = "school_staff", "学校管理员"
    PROVINCE_STAFF = "province_staff", "省级管理员"
    EMPLOYER = "employer", "用人单位"


STAFF_ROLES = {Role.COLLEGE_STAFF, Role.SCHOOL_STAFF, Role.PROVINCE_STAFF}


class User(AbstractUser):
    """Every person who signs in. Graduates get a user row on first login, bound to one
    roster record; staff and employers have username + password. `is_staff` (Django admin)
    is reserved for superusers: roles never reach the admin."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True, db_index=True)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    province = models.ForeignKey("organisations.Province", on_delete=models.PROTECT, null=True, blank=True)
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, null=True, blank=True)
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, null=True, blank=True)
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, null=True, blank=True)
    graduate = models.OneToOneField(
        "graduates.Graduate", on_delete=models.CASCADE, null=True, blank=True, related_name="user"
    )
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # set when an account is created or its password reset by an administrator: the password
    # was shown to someone else, so every staff page leads to 修改密码 until the owner picks one
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_role_has_its_organisation",
                condition=(
                    Q(role="")
                    | Q(role="graduate", graduate__isnull=False, school__isnull=False)
                    | Q(role="college_staff", school__isnull=False, college__isnull=False)
                    | Q(role="school_staff", school__isnull=False, college__isnull=True)
                    | Q(role="province_staff", province__isnull=False, school__isnull=True)
                    | Q(role="employer", employer__isnull=False)
                ),
            )
        ]

    @property
    def is_graduate(self) -> bool:
        return self.role == Role.GRADUATE

    @property
    def is_platform_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def __str__(self) -> str:
        return self.display_name or self.username


class StaffAccount(User):
    """管理员账号 as the account managers see them: school staff manage the college staff
    accounts of their school, province staff the school staff accounts of their province.
    A proxy so the scope declaration stays off User itself (nothing else reads users through
    visible_to). The role each manager may see is `MANAGED_ROLE`; selectors add it."""

    scope = {
        "school_staff": ("school", "school_id"),
        "province_staff": ("school__province", "province_id"),
    }

    class Meta:
        proxy = True
        verbose_name = "管理员账号"
        verbose_name_plural = "管理员账号"


# who manages whose accounts (管理员账号): the manager's role → the role of the accounts
MANAGED_ROLE = {Role.SCHOOL_STAFF: Role.COLLEGE_STAFF, Role.PROVINCE_STAFF: Role.SCHOOL_STAFF}


class ApiToken(models.Model):
    """Bearer token for app clients; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
