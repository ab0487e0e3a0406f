"""intention_save: what a graduate may store as 求职意向职位, and what is refused (nothing stored)."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Forbidden
from apps.jobs.models import JobIntention
from apps.jobs.services_intentions import intention_save

GOOD = {"nature_codes": ["31", "39"], "industry_codes": ["34"], "place_codes": ["3401", "32", "gat"],
        "category_codes": ["13"], "salary_band": "8k-12k", "notify": True}


def test_graduate_saves_intention_with_audit_entry(world):
    intention = intention_save(actor=world.graduate_user, data=GOOD)

    stored = JobIntention.objects.get(graduate=world.graduate)
    assert stored.pk == intention.pk
    assert stored.nature_codes == ["31", "39"]
    assert stored.place_codes == ["3401", "32", "gat"]
    assert stored.salary_band == "8k-12k" and stored.notify is True
    entry = AuditEntry.objects.get(action="jobs.intention_save")
    assert entry.graduate_id == world.graduate.pk
    # the history a graduate reads: labels and names, not codes
    assert entry.changes["工作地点"] == ["", "安徽省合肥市、江苏省、港澳台"]
    assert entry.changes["单位性质"] == ["", "国有企业、其他企业"]


def test_six_digit_province_and_city_codes_are_stored_short(world):
    intention_save(actor=world.graduate_user, data={"place_codes": ["340000", "340100"]})
    assert JobIntention.objects.get().place_codes == ["34", "3401"]


def test_saving_again_replaces_and_records_only_the_change(world):
    intention_save(actor=world.graduate_user, data=GOOD)
    intention_save(actor=world.graduate_user, data={**GOOD, "salary_band": ""})

    stored = JobIntention.objects.get()
    assert stored.salary_band == ""
    last = AuditEntry.objects.filter(action="jobs.intention_save").order_by("-id").first()
    assert last.changes == {"期望月薪": ["8000–12000元", ""]}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"industry_codes": ["11", "21", "22", "23", "24", "31"]}, "industry_codes", "行业最多选择5项（您选择了6项）"),
    ({"nature_codes": ["31", "77"]}, "nature_codes", "单位性质中有不在代码表中的选项（77），请从列表中选择"),
    ({"category_codes": ["<script>"]}, "category_codes", "职位类别中有不在代码表中的选项"),
    ({"salary_band": "1k-2k"}, "salary_band", "期望月薪请从列表中选择"),
    ({"place_codes": ["340104"]}, "place_codes", "工作地点请选择省份或城市，不需要选到区县（安徽省合肥市蜀山区）"),
    ({"place_codes": ["99"]}, "place_codes", "工作地点中有无法识别的地点（99）"),
    ({"place_codes": ["火星"]}, "place_codes", "工作地点中有无法识别的地点"),
    ({"place_codes": ["11", "12", "13", "14", "15", "gat"]}, "place_codes", "工作地点最多选择5项"),
    ({"nature_codes": {"a": 1}}, "nature_codes", "单位性质的格式不正确"),
])
def test_refusals_name_the_field_and_store_nothing(world, data, field, message):
    with pytest.raises(DomainError) as caught:
        intention_save(actor=world.graduate_user, data={**GOOD, **data})

    assert message in caught.value.fields[field]
    assert message in caught.value.message
    assert not JobIntention.objects.exists()
    assert not AuditEntry.objects.filter(action="jobs.intention_save").exists()


def test_a_refused_save_keeps_the_earlier_intention(world):
    intention_save(actor=world.graduate_user, data=GOOD)
    with pytest.raises(DomainError):
        intention_save(actor=world.graduate_user, data={**GOOD, "category_codes": ["13"], "salary_band": "x"})
    assert JobIntention.objects.get().salary_band == "8k-12k"


def test_duplicates_count_once(world):
    intention_save(actor=world.graduate_user, data={"industry_codes": ["34", "34", "３４", "35", "36", "37", "38"]})
    assert JobIntention.objects.get().industry_codes == ["34", "35", "36", "37", "38"]


@pytest.mark.parametrize("who", ["employer_user", "school_admin", "province_admin"])
def test_only_graduates_have_intentions(world, who):
    with pytest.raises(Forbidden):
        intention_save(actor=getattr(world, who), data=GOOD)
    assert not JobIntention.objects.exists()
