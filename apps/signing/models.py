"""网络签约 (C5): QR cards, invitations, agreements, terminations and self-print sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.scoping import graduate_record_scope
from apps.core.crypto import EncryptedTextField

_GRADUATE_SCOPE = graduate_record_scope()


class SigningCard(models.Model):
    """二维码名片: a short-lived card the graduate shows to an employer. The QR carries a
    signed link to it; `short_code` is the same card for typing."""

    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="signing_cards")
    short_code = models.CharField(max_length=10, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    scope = {"graduate": ("graduate", "graduate_id")}


class InvitationStatus(models.TextChoices):
    OPEN = "open", "待确认"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已拒绝"
    WITHDRAWN = "withdrawn", "已撤回"
    EXPIRED = "expired", "已过期"
    SUPERSEDED = "superseded", "已失效"


class ProbationType(models.TextChoices):
    PROBATION = "probation", "试用期"
    TRAINEESHIP = "traineeship", "见习期"
    NONE = "none", "无"


class Invitation(models.Model):
    """网签邀约: an employer's offer with the agreement's terms, waiting for the graduate."""

    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="invitations")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, related_name="invitations")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # the employer follows its invitation with a secret link; only its hash is stored
    follow_token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.OPEN)
    # 单位信息
    unit_name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    credit_code_flagged = models.BooleanField(default=False)
    unit_nature_code = models.CharField("单位性质", max_length=4)
    industry_code = models.CharField("单位行业", max_length=4)
    unit_division = models.ForeignKey("reference.Division", on_delete=models.PROTECT, related_name="+",
                                      verbose_name="单位所在地")
    unit_address = models.CharField("单位地址", max_length=200)
    contact_person = models.CharField("联系人", max_length=50)
    contact_phone = EncryptedTextField("联系电话")
    # 职位与劳动合同
    position_name = models.CharField("职位名称", max_length=100)
    position_category_code = models.CharField("工作职位类别", max_length=4)
    work_place = models.CharField("工作地点", max_length=200)
    contract_years = models.PositiveSmallIntegerField("合同期限（年）")
    probation_type = models.CharField("试用期/见习期", max_length=12, choices=ProbationType.choices)
    probation_months = models.PositiveSmallIntegerField("试用/见习期限（月）", default=0)
    monthly_pay = models.PositiveIntegerField("月工资（元）")
    social_insurance = models.CharField("社会保险", max_length=200)
    # 违约约定
    breach_penalty = models.PositiveIntegerField("违约金（元）", default=0)
    breach_conditions = models.CharField("违约条件", max_length=500, blank=True)
    accepts_archive = models.BooleanField("接收档案", default=False)
    accepts_household = models.BooleanField("接收户口", default=False)
    remarks = models.CharField("备注", max_length=1000, blank=True)
    certificate = models.FileField("统一社会信用代码证", max_length=200)
    # lifecycle
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField("拒绝原因", max_length=300, blank=True)
    # the 60-second confirmation window opened by 接受
    confirm_opened_at = models.DateTimeField(null=True, blank=True)

    scope = {**_GRADUATE_SCOPE, "employer": ("employer", "employer_id")}

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # an employer cannot send a second live invitation to the same graduate
            models.UniqueConstraint(fields=["graduate", "employer"], condition=Q(status="open"),
                                    name="one_open_invitation_per_employer_and_graduate"),
            models.CheckConstraint(name="invitation_probation_at_most_12_months",
                                   condition=Q(probation_months__lte=12)),
        ]
        indexes = [
            models.Index(fields=["graduate", "status"], name="invitation_graduate_idx"),
            models.Index(fields=["employer", "-created_at"], name="invitation_employer_idx"),
            models.Index(fields=["status", "expires_at"], name="invitation_expiry_idx"),
        ]


class AgreementStatus(models.TextChoices):
    IN_FORCE = "in_force", "有效"
    TERMINATED = "terminated", "已解约"


class Agreement(models.Model):
    """就业协议书 (三方协议) concluded online."""

    number = models.CharField("协议编号", max_length=30, unique=True)
    verification_code = models.CharField("验证码", max_length=12, unique=True)
    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="agreement")
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.PROTECT, related_name="agreements")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, related_name="agreements")
    status = models.CharField(max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.IN_FORCE)
    accepted_at = models.DateTimeField()
    accepted_address = models.CharField(max_length=64)
    accepted_user_agent = models.CharField(max_length=300, blank=True)
    pdf = models.FileField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_generated_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {**_GRADUATE_SCOPE, "employer": ("employer", "employer_id")}

    class Meta:
        ordering = ["-accepted_at", "-id"]
        constraints = [
            # exactly one agreement in force per graduate — the database enforces it
            models.UniqueConstraint(fields=["graduate"], condition=Q(status="in_force"),
                                    name="one_agreement_in_force_per_graduate"),
        ]
        # the staff list's order (-accepted_at, -id), read backwards after the scope [and status]
        indexes = [
            models.Index(fields=["school", "status", "accepted_at", "id"], name="agreement_school_idx"),
            models.Index(fields=["college", "status", "accepted_at", "id"], name="agreement_college_idx"),
            models.Index(fields=["school", "accepted_at", "id"], name="agreement_school_list_idx"),
            models.Index(fields=["college", "accepted_at", "id"], name="agreement_college_list_idx"),
        ]


class TerminationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待院系初审"
    COLLEGE_APPROVED = "college_approved", "待学校终审"
    APPROVED = "approved", "已解约"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class TerminationReason(models.TextChoices):
    FURTHER_STUDY = "further_study", "升学"
    FAMILY = "family", "家庭原因"
    HEALTH = "health", "身体原因"
    EMPLOYER_BROKE_PROMISE = "employer_broke_promise", "单位未履行承诺"
    EMPLOYER_TROUBLE = "employer_trouble", "单位经营困难"
    EMPLOYER_BREACH = "employer_breach", "单位违约"
    OTHER = "other", "其他"


class Termination(models.Model):
    """网络解约申请: needs the employer's stamped release letter, the graduate's PIN, and
    college 初审 then school 终审."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="terminations")
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.PROTECT, related_name="terminations")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("解约原因", max_length=30, choices=TerminationReason.choices)
    explanation = models.CharField("说明", max_length=500)
    is_change = models.BooleanField("变更（解约后与新单位签约）", default=False)
    status = models.CharField(max_length=20, choices=TerminationStatus.choices, default=TerminationStatus.SUBMITTED)
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_address = models.CharField(max_length=64, blank=True)
    college_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    college_reviewed_at = models.DateTimeField(null=True, blank=True)
    school_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    school_reviewed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=300, blank=True)

    scope = _GRADUATE_SCOPE

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement"], condition=Q(status__in=["submitted", "college_approved"]),
                                    name="one_pending_termination_per_agreement"),
        ]
        # the review queue's order (submitted_at, id) after the scope [and status]
        indexes = [
            models.Index(fields=["school", "status", "submitted_at", "id"], name="termination_school_idx"),
            models.Index(fields=["college", "status", "submitted_at", "id"], name="termination_college_idx"),
            models.Index(fields=["school", "submitted_at", "id"], name="termination_school_list_idx"),
            models.Index(fields=["college", "submitted_at", "id"], name="termination_college_list_idx"),
        ]


class TerminationLetter(models.Model):
    """The employer's stamped release letter (解约函), as re-encoded images."""

    termination = models.ForeignKey(Termination, on_delete=models.CASCADE, related_name="letters")
    file = models.FileField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()

    scope = {
        "school_staff": ("termination__school", "school_id"),
        "college_staff": ("termination__college", "college_id"),
        "graduate": ("termination__graduate", "graduate_id"),
    }


class PrintSession(models.Model):
    """协议书自助打印: the PC page holds `pc_secret`; the graduate claims the session by
    scanning its QR or typing `short_code` in the app; then the PC may fetch the PDF."""

    short_code = models.CharField(max_length=8, unique=True)
    pc_secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    printed_at = models.DateTimeField(null=True, blank=True)
