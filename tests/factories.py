"""Plain factories for tests: real rows through the real models, no mocks."""

from __future__ import annotations

import itertools
from datetime import date

from stdnum.cn import ric

from apps.accounts.models import Role, User
from apps.core.crypto import keyed_hash
from apps.core.text import normalise_id_number
from apps.graduates.models import Graduate
from apps.organisations.models import College, Employer, Major, Province, School

_seq = itertools.count(1)
PASSWORD = "Test-pass-123"


def make_id_number(birth: date | None = None, county: str = "340104", serial: int | None = None) -> str:
    """A valid 18-digit resident ID number (checksum computed with python-stdnum)."""
    birth = birth or date(2003, 5, 17)
    serial = serial if serial is not None else next(_seq) % 1000
    body = f"{county}{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects the check position included


def make_province(code="34", name="安徽省") -> Province:
    return Province.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_school(*, name=None, code=None, province=None, cohort=2027) -> School:
    n = next(_seq)
    return School.objects.create(
        province=province or make_province(), code=code or f"1{n:04d}", name=name or f"测试大学{n}", current_cohort=cohort
    )


def make_college(school: School, name=None) -> College:
    n = next(_seq)
    return College.objects.create(school=school, code=f"C{n:03d}", name=name or f"学院{n}")


def make_major(college: College, name=None, code=None) -> Major:
    n = next(_seq)
    return Major.objects.create(school=college.school, college=college, code=code or f"08{n:04d}", name=name or f"专业{n}")


def make_graduate(*, college: College, major: Major | None = None, name="张三", student_number=None,
                  id_number=None, cohort=None, education_level_code="31", pin: str | None = None, **extra) -> Graduate:
    id_number = normalise_id_number(id_number or make_id_number())
    graduate = Graduate(
        school=college.school, college=college, major=major or make_major(college),
        cohort=cohort or college.school.current_cohort, student_number=student_number or f"2088{next(_seq):06d}",
        name=name, gender_code="1", id_number=id_number, id_number_hash=keyed_hash(id_number),
        education_level_code=education_level_code, **extra,
    )
    if pin:
        from django.utils import timezone

        from apps.accounts.services import signing_pin_hash

        graduate.signing_pin_hash = signing_pin_hash(pin)
        graduate.signing_pin_set_at = timezone.now()
    graduate.save()
    return graduate


def make_staff(role: str, *, school=None, college=None, province=None, employer=None, username=None) -> User:
    user = User(username=username or f"{role}-{next(_seq)}", role=role, display_name=f"{role}测试",
                school=school, college=college, province=province, employer=employer)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_employer(credit_code="91340100MA2N0XXX01", name="合肥示例科技有限公司", *, status="verified",
                  verifier_school=None, province=None) -> Employer:
    """A registered employer, verified by the province unless told otherwise."""
    from django.utils import timezone

    province = province or (verifier_school.province if verifier_school else make_province())
    return Employer.objects.create(credit_code=credit_code, name=name, status=status, verifier_province=province,
                                   verifier_school=verifier_school, nature_code="39", industry_code="34",
                                   registered_at=timezone.now())


def make_posting(employer, school=None, *, province=None, title="软件工程师", description="负责后端开发。",
                 category="13", education=("231",), salary=(6000, 9000), places=("340104",), days_left=30,
                 status="published", published_at=None, published_ago_hours=1, majors_text="",
                 industry_code=None, nature_code=None, **extra):
    """A posting of `employer` in `school`'s channel (the province's when school is None), stored
    the way the posting services store it: search columns from posting_index_columns, the
    education bit mask, one PostingPlace per county of `places` (empty = 海外/no place)."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.jobs.education import education_mask
    from apps.jobs.models import Posting, PostingPlace, PostingStatus
    from apps.jobs.search import posting_index_columns

    now = timezone.now()
    if school is not None:
        province_id = school.province_id
    else:
        province_id = province.pk if province is not None else employer.verifier_province_id
    if published_at is None and status == PostingStatus.PUBLISHED:
        published_at = now - timedelta(hours=published_ago_hours)
    posting = Posting(
        employer=employer, channel_province_id=province_id, channel_school=school, title=title,
        category_code=category, openings=2, education_codes=list(education),
        education_mask=education_mask(list(education)), salary_min=salary[0], salary_max=salary[1],
        description=description, majors_text=majors_text, contact_name="王经理", contact_phone="0551-12345678",
        deadline=timezone.localdate() + timedelta(days=days_left),
        industry_code=industry_code or employer.industry_code, nature_code=nature_code or employer.nature_code,
        status=status, submitted_at=now,
        published_at=published_at if status == PostingStatus.PUBLISHED else None, **extra)
    posting.search_title, posting.search_body = posting_index_columns(posting)
    posting.save()
    for county in places:
        PostingPlace.objects.create(posting=posting, county_code=county, city_code=county[:4], province_code=county[:2])
    return posting


def graduate_user(graduate: Graduate) -> User:
    user, _ = User.objects.get_or_create(
        graduate=graduate,
        defaults={"username": f"graduate-{graduate.pk}", "role": Role.GRADUATE, "school": graduate.school,
                  "display_name": graduate.name},
    )
    return user


def use_temporary_media(settings, tmp_path):
    """Uploads go to a temporary directory, never to var/media (a conftest's autouse fixture
    calls this); MEDIA_ROOT names it too (the backup reads it). Returns that directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }
    return tmp_path / "media"


def png_upload(name: str, size=(64, 48), colour=(200, 30, 30)):
    """A small real PNG as an uploaded file."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class BearerApi:
    """The JSON API as one user with a bearer token (its own test client)."""

    def __init__(self, user):
        from django.test import Client

        from apps.accounts.services import api_token_issue

        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, **self.headers)

    def post(self, path, data=None):
        return self.client.post(f"/api/v1{path}", data or {}, content_type="application/json", **self.headers)

    def multipart(self, path, data):
        return self.client.post(f"/api/v1{path}", data, **self.headers)
