"""职位 (C9): postings with review, the search columns, favourites; 求职意向职位 (C8).

A posting is published in one channel: a school's (reviewed by that school, shown to its
graduates) or the province's (`channel_school` empty: reviewed by the province, shown to every
graduate of the province)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class PostingStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已发布"
    REJECTED = "rejected", "已驳回"
    CLOSED = "closed", "已下线"


class ClosedReason(models.TextChoices):
    """Why a posting left the search: at its deadline, marked filled by the employer,
    withdrawn by the employer, or taken down by staff (举报)."""

    EXPIRED = "expired", "已过截止日期"
    FILLED = "filled", "已招满"
    WITHDRAWN = "withdrawn", "单位已撤下"
    TAKEN_DOWN = "taken_down", "已被管理员下架"


class Posting(models.Model):
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, related_name="postings")
    # the channel: a school's, or the province's when channel_school is empty
    channel_province = models.ForeignKey("organisations.Province", on_delete=models.PROTECT, related_name="+")
    channel_school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="postings")
    title = models.CharField("职位名称", max_length=60)
    category_code = models.CharField("职位类别", max_length=4)  # code table position_category
    openings = models.PositiveIntegerField("招聘人数")
    # codes of education_level (scheme "anhui"); empty list = 不限
    education_codes = models.JSONField("学历要求", default=list, blank=True)
    # bit i set = the i-th code of EDUCATION_CHOICES accepted (filterable without a join); 0 = 不限
    education_mask = models.PositiveIntegerField(default=0)
    majors_text = models.CharField("专业要求", max_length=300, blank=True)
    majors = models.ManyToManyField("organisations.Major", blank=True, related_name="postings")
    salary_min = models.PositiveIntegerField("月薪下限（元）")
    salary_max = models.PositiveIntegerField("月薪上限（元）")
    description = models.TextField("职位描述")
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=30)
    deadline = models.DateField("截止日期")
    # copied from the employer at submission: filters without a join
    industry_code = models.CharField("单位行业", max_length=4, blank=True)
    nature_code = models.CharField("单位性质", max_length=4, blank=True)
    status = models.CharField("状态", max_length=10, choices=PostingStatus.choices, default=PostingStatus.DRAFT)
    closed_reason = models.CharField("下线原因", max_length=12, choices=ClosedReason.choices, blank=True)
    review_reason = models.CharField("驳回原因", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # the search columns (apps/jobs/search.py): space-separated unigrams + bigrams of the title
    # and of the body (employer name, description, majors), rebuilt by the services on save
    search_title = models.TextField(blank=True, default="")
    search_body = models.TextField(blank=True, default="")
    view_count = models.PositiveIntegerField("浏览次数", default=0)  # F() updates: atomic
    application_count = models.PositiveIntegerField("投递人数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # graduates read postings through the search selectors (published only), not visible_to
    scope = {
        "employer": ("employer", "employer_id"),
        "school_staff": ("channel_school", "school_id"),
        "province_staff": ("channel_province", "province_id"),
    }

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(name="posting_salary_ordered", condition=Q(salary_min__lte=models.F("salary_max"))),
            models.CheckConstraint(name="posting_openings_positive", condition=Q(openings__gte=1)),
            models.CheckConstraint(name="posting_closed_has_reason",
                                   condition=~Q(status="closed") | ~Q(closed_reason="")),
        ]
        indexes = [
            # search lists: published, in date, newest first; channel filters lead
            models.Index(fields=["status", "channel_province", "channel_school", "published_at", "id"],
                         name="posting_channel_new_idx"),
            models.Index(fields=["status", "deadline"], name="posting_deadline_idx"),
            # review queues
            models.Index(fields=["channel_school", "status", "submitted_at", "id"], name="posting_school_queue_idx"),
            models.Index(fields=["channel_province", "status", "submitted_at", "id"], name="posting_province_queue_idx"),
            models.Index(fields=["employer", "status", "id"], name="posting_employer_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class PostingPlace(models.Model):
    """工作地点: one county (区县) per row; the city and province codes are its prefixes, kept
    so the place filter at any level is one indexed equality."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="places")
    county_code = models.CharField(max_length=6)
    city_code = models.CharField(max_length=4)
    province_code = models.CharField(max_length=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["posting", "county_code"], name="posting_place_unique")]
        indexes = [
            models.Index(fields=["province_code", "posting"], name="posting_place_province_idx"),
            models.Index(fields=["city_code", "posting"], name="posting_place_city_idx"),
            models.Index(fields=["county_code", "posting"], name="posting_place_county_idx"),
        ]


class PostingFavourite(models.Model):
    """收藏的职位."""

    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="favourite_postings")
    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {"graduate": ("graduate", "graduate_id")}

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["graduate", "posting"], name="favourite_unique")]
        indexes = [models.Index(fields=["graduate", "created_at", "id"], name="favourite_graduate_idx")]


class JobIntention(models.Model):
    """求职意向职位: up to five each of 单位性质, 行业, 工作地点, 职位类别, and a salary band.

    Places are division codes of a province (2 digits) or city (4 digits), or the specials
    in apps/jobs/intentions.SPECIAL_PLACES (港澳台, 海外)."""

    graduate = models.OneToOneField("graduates.Graduate", on_delete=models.CASCADE, related_name="job_intention")
    nature_codes = models.JSONField("单位性质", default=list, blank=True)
    industry_codes = models.JSONField("行业", default=list, blank=True)
    place_codes = models.JSONField("工作地点", default=list, blank=True)
    category_codes = models.JSONField("职位类别", default=list, blank=True)
    salary_band = models.CharField("期望月薪", max_length=12, blank=True)  # a key of apps/jobs/salary.BANDS
    notify = models.BooleanField("新职位提醒", default=False)
    # the day of the last digest (at most one a day; the digest job is idempotent by it)
    last_digest_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = {"graduate": ("graduate", "graduate_id")}

    class Meta:
        indexes = [models.Index(fields=["notify", "last_digest_on"], name="intention_digest_idx")]
