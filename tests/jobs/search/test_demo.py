"""The demo data's postings can be searched by the demo graduate, and the queues have work."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.graduates.models import Graduate
from apps.jobs.models import Posting, PostingStatus
from apps.jobs.search_query import SearchFilters, search_postings
from apps.organisations.models import Employer, EmployerStatus

pytestmark = pytest.mark.django_db


def test_demo_postings_are_found_by_the_demo_graduate(reference):
    call_command("seed_demo", graduates_per_school=5, verbosity=0)
    graduate = Graduate.objects.select_related("school").get(name="王小明", student_number="2023010001")
    found = search_postings(graduate=graduate, keyword="工程师").rows
    assert {"软件工程师", "Java开发工程师", "测试工程师"} <= {row["title"] for row in found}
    school_only = search_postings(graduate=graduate, filters=SearchFilters(channel="province")).rows
    assert school_only and all(row["channel"] == "全省" for row in school_only)
    assert Posting.objects.filter(status=PostingStatus.PENDING).count() == 1
    assert Employer.objects.filter(status=EmployerStatus.PENDING).count() == 1
    published = Posting.objects.filter(status=PostingStatus.PUBLISHED).count()
    assert Posting.objects.filter(status=PostingStatus.PUBLISHED, employer__name="合肥示例科技有限公司").count() == 15
    call_command("seed_demo", verbosity=0)  # idempotent
    assert Posting.objects.filter(status=PostingStatus.PUBLISHED).count() == published
