"""Province → school (院校) → college (院系) → major (专业); employers (用人单位)."""

from __future__ import annotations

from django.db import models


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


class Employer(models.Model):
    """用人单位, identified by its 统一社会信用代码."""

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
    is_verified = models.BooleanField("已审核", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
