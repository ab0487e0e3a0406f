"""就业推荐表 (C10): the college's recommendation of one graduate, issued as a signed PDF with
a verification code. A form is never edited once issued (the college "locks" it): a new
opinion is a new form, and the old one becomes void, pointing at its replacement."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.accounts.scoping import graduate_record_scope
from apps.core.crypto import EncryptedTextField


class RecommendationStatus(models.TextChoices):
    REQUESTED = "requested", "待院系填写"
    ISSUED = "issued", "已签发"
    VOID = "void", "已作废"


class RecommendationForm(models.Model):
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.PROTECT, related_name="recommendations")
    # copied from the graduate: the queues are scoped and ordered without a join
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="+",
                                db_index=False)
    status = models.CharField("状态", max_length=10, choices=RecommendationStatus.choices,
                              default=RecommendationStatus.REQUESTED)
    # when the status last changed: the one order column of every queue filter
    status_changed_at = models.DateTimeField("状态时间")
    requested_at = models.DateTimeField("申请时间", null=True, blank=True)
    opinion = models.TextField("院系推荐意见", blank=True)
    reviewer_name = models.CharField("审核人", max_length=50, blank=True)
    opinion_date = models.DateField("意见日期", null=True, blank=True)
    verification_code = models.CharField("验证码", max_length=12, unique=True, null=True, blank=True)
    # 生源 facts and the résumé summary as JSON at the moment of issue (personal data: encrypted);
    # the PDF, the staff preview and the API read this, never the live records
    content = EncryptedTextField("推荐表内容", blank=True)
    pdf = models.FileField("推荐表PDF", blank=True, max_length=200)
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    replaced_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name="替代的推荐表")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = graduate_record_scope()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["graduate"], condition=Q(status="issued"),
                                    name="recommendation_one_issued"),
            models.UniqueConstraint(fields=["graduate"], condition=Q(status="requested"),
                                    name="recommendation_one_requested"),
        ]
        indexes = [
            # the queues: college staff (college = X), school staff (school = X), with or
            # without a status filter, ordered by status_changed_at, id
            models.Index(fields=["college", "status", "status_changed_at", "id"], name="recommendation_college_idx"),
            models.Index(fields=["college", "status_changed_at", "id"], name="recommendation_college_all_idx"),
            models.Index(fields=["school", "status", "status_changed_at", "id"], name="recommendation_school_idx"),
            models.Index(fields=["school", "status_changed_at", "id"], name="recommendation_school_all_idx"),
            # one graduate's history, newest first
            models.Index(fields=["graduate", "created_at", "id"], name="recommendation_graduate_idx"),
        ]

    def __str__(self) -> str:
        return f"就业推荐表#{self.pk}（{self.get_status_display()}）"
