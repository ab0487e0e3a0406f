"""The roster record (生源): one per school + cohort + student number + education level."""

from __future__ import annotations

from django.db import models

from apps.core.crypto import EncryptedTextField
from apps.core.text import mask_id_number, mask_phone


def id_last4_of(id_number: str | None) -> str:
    """The directory's search key: the ID number's last four characters (X upper-case)."""
    return (id_number or "").strip()[-4:].upper()


class Graduate(models.Model):
    # no single-column indexes: graduate_school_list_idx / graduate_college_list_idx start with
    # these columns and serve every lookup by them (and one index fewer per insert)
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="graduates",
                               db_index=False)
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="graduates",
                                db_index=False)
    major = models.ForeignKey("organisations.Major", on_delete=models.PROTECT, related_name="graduates")
    cohort = models.PositiveSmallIntegerField("毕业年份")  # 届别
    student_number = models.CharField("学号", max_length=30)
    exam_number = models.CharField("考生号", max_length=30, blank=True)
    name = models.CharField("姓名", max_length=50)
    gender_code = models.CharField("性别", max_length=2)
    id_number = EncryptedTextField("身份证号")
    id_number_hash = models.CharField(max_length=64, db_index=True)
    # 身份证号后四位: the staff directory's search key (the number itself is encrypted); the
    # same four characters every masked display shows. Set by save() and every bulk writer.
    id_last4 = models.CharField("身份证号后四位", max_length=4, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity_code = models.CharField("民族", max_length=2, blank=True)
    political_status_code = models.CharField("政治面貌", max_length=2, blank=True)
    urban_rural_code = models.CharField("城乡生源", max_length=2, blank=True)
    education_level_code = models.CharField("学历层次", max_length=4)  # employment-xldm scheme
    training_mode_code = models.CharField("培养方式", max_length=2, blank=True)
    sponsor_unit = models.CharField("委培单位", max_length=200, blank=True)
    study_form = models.CharField("学习形式", max_length=20, blank=True)
    enrolment_date = models.DateField("入学年月", null=True, blank=True)
    graduation_date = models.DateField("毕业日期", null=True, blank=True)
    hardship_code = models.CharField("困难生类别", max_length=2, blank=True)
    normal_student_code = models.CharField("师范生类别", max_length=2, blank=True)
    origin_division = models.ForeignKey(
        "reference.Division", on_delete=models.PROTECT, null=True, blank=True, verbose_name="生源所在地"
    )
    phone = EncryptedTextField("本人联系电话", blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    email = models.EmailField("电子邮箱", blank=True)
    home_address = models.CharField("家庭地址", max_length=200, blank=True)
    family_contact_name = models.CharField("家庭联系人", max_length=50, blank=True)
    family_contact_relation = models.CharField("与本人关系", max_length=20, blank=True)
    family_contact_phone = EncryptedTextField("家庭联系电话", blank=True)
    # 生源确认: who confirmed and when; online signing requires it (C5).
    origin_confirmed_at = models.DateTimeField("生源确认时间", null=True, blank=True)
    origin_confirmed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The graduate-only confirmation for signing and termination (hashed like a password).
    signing_pin_hash = models.CharField(max_length=128, blank=True)
    signing_pin_set_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey("roster.RosterImport", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = {
        "province_staff": ("school__province", "province_id"),
        "school_staff": ("school", "school_id"),
        "college_staff": ("college", "college_id"),
        "graduate": ("pk", "graduate_id"),
    }

    class Meta:
        ordering = ["school_id", "cohort", "student_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "cohort", "student_number", "education_level_code"],
                name="graduate_unique_roster_key",
            ),
        ]
        indexes = [
            # the login: school + ID hash, then name/student number compared in Python
            models.Index(fields=["school", "id_number_hash"], name="graduate_login_idx"),
            # The staff list's one order (selectors.GRADUATE_LIST_ORDER) read from an index, so
            # scope + filters + ORDER BY + LIMIT stop after one page (issue 9):
            # school staff (school = X [, cohort = Y]) and province staff (every school in order) …
            models.Index(fields=["school", "-cohort", "college", "student_number", "id"],
                         name="graduate_school_list_idx"),
            # … college staff, or any role filtering by college (college = X: school is then one
            # value, so the index order is the list order)
            models.Index(fields=["college", "school", "-cohort", "student_number", "id"],
                         name="graduate_college_list_idx"),
            # keyword: exact student number in any scope (a number repeats at most once per school)
            models.Index(fields=["student_number"], name="graduate_student_number_idx"),
            # keyword: name prefix within a school (province scope: one probe per school);
            # pattern ops so PostgreSQL serves LIKE 'q%' from it under any collation
            models.Index(fields=["school", "name"], name="graduate_name_idx",
                         opclasses=["int8_ops", "varchar_pattern_ops"]),
            # directory search by the last four characters of the ID number, within a school
            models.Index(fields=["school", "id_last4"], name="graduate_id_last4_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.student_number}）"

    def save(self, *args, **kwargs):
        self.id_last4 = id_last4_of(self.id_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "id_number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "id_last4"}
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_family_contact_phone(self) -> str:
        return mask_phone(self.family_contact_phone)

    @property
    def origin_confirmed(self) -> bool:
        return self.origin_confirmed_at is not None

    @property
    def has_signing_pin(self) -> bool:
        return bool(self.signing_pin_hash)


class CollegeGraduateCount(models.Model):
    """Graduates per college (各院系毕业生人数), kept up to date in the transaction of every
    insert, delete and college move of a Graduate (apps/graduates/counts.py).

    Why maintained and not counted or cached: the staff home and the province's school list
    show these numbers on every view; ``COUNT(*)`` over 500,000 graduates grows with the
    province (24× from 5,000 to 200,000 in issue 9), and a cache would still pay that count
    on every miss and show numbers minutes old right after a roster import. One row per
    college (about 1,000 in a province) makes every total a sum over at most that many rows.
    Writes that bypass the ORM (COPY, raw SQL) run ``manage.py recount_graduates``, which also
    runs nightly (apps/core/schedule.py) as the repair. See docs/decisions/graduate-counts.md.
    """

    college = models.OneToOneField("organisations.College", on_delete=models.CASCADE, primary_key=True,
                                   related_name="graduate_count")
    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="graduate_counts")
    graduates = models.IntegerField(default=0)

    scope = {
        "province_staff": ("school__province", "province_id"),
        "school_staff": ("school", "school_id"),
        "college_staff": ("college", "college_id"),
    }

    def __str__(self) -> str:
        return f"{self.college_id}: {self.graduates}"
