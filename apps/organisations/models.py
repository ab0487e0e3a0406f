"""Province → school (院校) → college (院系) → major (专业); employers (用人单位)."""

from __future__ import annotations

from django.db import models

from apps.core.crypto import EncryptedTextField


class Province(models.Model):
    code = models.CharField("省份代码", max_length=2, unique=True)
    name = models.CharField("省份", max_length=32)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """院校. `code` is the official 5-digit 院校代码 from the Ministry's list."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="schools")
    code = models.CharField("院校代码", max_length=10, unique=True)
    name = models.CharField("院校名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    # The cohort (毕业年份, 届) this school is working on now; the login picks records of it.
    current_cohort = models.PositiveSmallIntegerField("当前届别")
    is_active = models.BooleanField("启用", default=True)

    scope = {
        "province_staff": ("province", "province_id"),
        "school_staff": ("pk", "school_id"),
        "college_staff": ("pk", "school_id"),
        "graduate": ("pk", "school_id"),
    }

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class College(models.Model):
    """院系."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="colleges")
    code = models.CharField("院系代码", max_length=20)
    name = models.CharField("院系名称", max_length=100)

    scope = {
        "province_staff": ("school__province", "province_id"),
        "school_staff": ("school", "school_id"),
        "college_staff": ("pk", "college_id"),
    }

    class Meta:
        ordering = ["school_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="college_code_unique_per_school"),
            models.UniqueConstraint(fields=["school", "name"], name="college_name_unique_per_school"),
        ]

    def __str__(self) -> str:
        return self.name


class Major(models.Model):
    """专业. The same national major code may be taught by several colleges of a school."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="majors")
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="majors")
    code = models.CharField("专业代码", max_length=20)
    name = models.CharField("专业名称", max_length=100)

    scope = {
        "province_staff": ("school__province", "province_id"),
        "school_staff": ("school", "school_id"),
        "college_staff": ("college", "college_id"),
    }

    class Meta:
        ordering = ["college_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["college", "code", "name"], name="major_unique_per_college"),
        ]

    def __str__(self) -> str:
        return self.name


class EmployerStatus(models.TextChoices):
    """An employer's account state. UNREGISTERED: a row the signing flow created for a unit
    without an account (the card link keeps working for it)."""

    UNREGISTERED = "unregistered", "未注册"
    PENDING = "pending", "待审核"
    VERIFIED = "verified", "已认证"
    REJECTED = "rejected", "已驳回"
    SUSPENDED = "suspended", "已停用"


class EmployerSize(models.TextChoices):
    TINY = "lt50", "50人以下"
    SMALL = "50-299", "50–299人"
    MEDIUM = "300-999", "300–999人"
    LARGE = "1000-4999", "1000–4999人"
    HUGE = "ge5000", "5000人及以上"


def employer_licence_path(instance, filename: str) -> str:
    """A random name: the uploaded file name never becomes a path."""
    from apps.core.files import random_storage_name

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return random_storage_name("employers/licences", extension)


class Employer(models.Model):
    """用人单位, identified by its 统一社会信用代码.

    Verification (单位认证) is asked of the province (`verifier_school` empty: valid in every
    channel of the province) or of one school (valid for that school's channel only);
    `verifier_province` is set in both cases, so province staff see every employer of theirs."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("单位名称", max_length=200)
    nature_code = models.CharField("单位性质代码", max_length=4, blank=True)
    industry_code = models.CharField("单位行业代码", max_length=4, blank=True)
    division = models.ForeignKey(
        "reference.Division", on_delete=models.PROTECT, null=True, blank=True, verbose_name="单位所在地"
    )
    address = models.CharField("单位地址", max_length=200, blank=True)
    # Credit codes whose first character is a letter fail stdnum's checksum although GB 32100
    # allows them; they are accepted and flagged for a human look.
    credit_code_flagged = models.BooleanField("信用代码待人工核验", default=False)
    status = models.CharField("认证状态", max_length=12, choices=EmployerStatus.choices,
                              default=EmployerStatus.UNREGISTERED)
    size = models.CharField("单位规模", max_length=10, choices=EmployerSize.choices, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_mobile = EncryptedTextField("联系人手机", blank=True)
    introduction = models.TextField("单位简介", blank=True)
    licence = models.FileField("营业执照", upload_to=employer_licence_path, max_length=200, blank=True)
    licence_width = models.PositiveIntegerField(null=True, blank=True)
    licence_height = models.PositiveIntegerField(null=True, blank=True)
    licence_size = models.PositiveIntegerField(null=True, blank=True)
    verifier_province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="employers", verbose_name="认证省份")
    verifier_school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="employers", verbose_name="认证院校")
    status_reason = models.CharField("驳回或停用原因", max_length=300, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    registered_at = models.DateTimeField("注册时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {
        "province_staff": ("verifier_province", "province_id"),
        "school_staff": ("verifier_school", "school_id"),
        "employer": ("pk", "employer_id"),
    }

    class Meta:
        ordering = ["name"]
        indexes = [
            # the verification queues (待审核 first, oldest first)
            models.Index(fields=["verifier_province", "status", "registered_at", "id"], name="employer_province_queue_idx"),
            models.Index(fields=["verifier_school", "status", "registered_at", "id"], name="employer_school_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == EmployerStatus.VERIFIED

    @property
    def is_suspended(self) -> bool:
        return self.status == EmployerStatus.SUSPENDED


class SchoolPolicy(models.Model):
    """Per-school dates and limits (学校设置). Empty means the handbook's default, computed
    from the cohort: see apps/organisations/policy.py."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="policy")
    # 网签开放日期 / 解约开放日期: default 1 September of the graduating academic year
    signing_opens_on = models.DateField("签约开始日期", null=True, blank=True)
    termination_opens_on = models.DateField("解约开始日期", null=True, blank=True)
    invitation_validity_days = models.PositiveSmallIntegerField("邀约有效期（天）", default=7)
    max_terminations = models.PositiveSmallIntegerField("最大解约次数", default=3)
    # 毕业去向变更截止: national rule 31 August of the graduation year
    destination_cutoff_on = models.DateField("去向登记变更截止日期", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = {
        "province_staff": ("school__province", "province_id"),
        "school_staff": ("school", "school_id"),
    }

    class Meta:
        constraints = [
            models.CheckConstraint(name="policy_validity_positive", condition=models.Q(invitation_validity_days__gte=1)),
        ]
