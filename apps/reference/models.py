"""Official code tables and the administrative divisions, kept as replaceable data."""

from __future__ import annotations

from django.db import models


class CodeTable(models.Model):
    """One official code table (e.g. destination, ethnicity), loaded from a CSV."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=50)
    source = models.CharField(max_length=200, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class CodeEntry(models.Model):
    table = models.ForeignKey(CodeTable, on_delete=models.CASCADE, related_name="entries")
    # education_level has two schemes; most tables have one ("").
    scheme = models.CharField(max_length=30, blank=True, default="")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    group = models.CharField(max_length=20, blank=True)
    parent_code = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=30, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["table_id", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["table", "scheme", "code"], name="code_unique_per_table_scheme"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Division(models.Model):
    """行政区划 (GB/T 2260), six-digit codes: level 1 province, 2 city, 3 county (区县).

    `is_county_level` marks what a 生源所在地 or a unit's location may be: a county-level
    division, or a prefecture-level city without counties (东莞, 中山, 儋州, 嘉峪关)."""

    code = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(max_length=50)
    level = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, blank=True)  # 县, 市辖区, 地级市 …
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    full_name = models.CharField(max_length=120)
    is_county_level = models.BooleanField(default=False, db_index=True)
    is_current = models.BooleanField(default=True)
    dataset_version = models.CharField(max_length=20)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="division_children_idx")]

    def __str__(self) -> str:
        return self.full_name
