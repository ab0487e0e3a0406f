"""就业推荐表 doors: request, issue (locked once issued; reissue voids the old), void; who may act."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.notifications.models import Notification
from apps.recommendations.documents import content_loads
from apps.recommendations.models import RecommendationForm
from apps.recommendations.models import RecommendationStatus as S
from apps.recommendations.services import (
    MAX_OPINION,
    recommendation_issue,
    recommendation_request,
    recommendation_void,
)
from tests.recommendations.conftest import OPINION, issue

pytestmark = pytest.mark.django_db


def test_request_then_issue_turns_the_request_into_the_issued_form(world, resume):
    asked = recommendation_request(actor=world.graduate_user)
    assert asked.status == S.REQUESTED and asked.college_id == world.college.pk
    form = issue(world.college_admin, world.graduate)
    assert form.pk == asked.pk
    form.refresh_from_db()
    assert form.status == S.ISSUED and form.verification_code.startswith("TJ") and len(form.verification_code) == 12
    assert form.pdf and len(form.pdf_sha256) == 64 and form.issued_by == world.college_admin
    assert form.opinion == OPINION and form.reviewer_name == "张老师"
    content = content_loads(form.content)
    assert content["basic"]["name"] == "王小明" and content["college"] == "计算机学院"
    assert [s["label"] for s in content["sections"]] == ["教育经历", "获奖情况"]
    assert content["self_evaluation"] == "踏实肯干，乐于学习。"
    note = Notification.objects.get(graduate=world.graduate, kind="recommendation.issued")
    assert form.verification_code in note.body
    assert set(AuditEntry.objects.filter(graduate_id=world.graduate.pk).values_list("action", flat=True)) >= {
        "recommendation.request", "recommendation.issue"}


def test_content_never_holds_the_id_number_or_phone(world, resume):
    world.graduate.phone = "13812345678"
    world.graduate.email = "wang@example.com"
    world.graduate.save()
    form = issue(world.college_admin, world.graduate)
    stored = RecommendationForm.objects.get(pk=form.pk).content
    for secret in (world.graduate.id_number, "13812345678", "wang@example.com"):
        assert secret not in stored


def test_content_is_stored_encrypted(world):
    from django.db import connection

    form = issue(world.college_admin, world.graduate)
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM recommendations_recommendationform WHERE id = %s", [form.pk])
        raw = cursor.fetchone()[0]
    assert "王小明" not in raw


def test_a_second_request_while_one_waits_is_refused(world):
    recommendation_request(actor=world.graduate_user)
    with pytest.raises(DomainError, match="正在等待院系填写"):
        recommendation_request(actor=world.graduate_user)
    assert RecommendationForm.objects.filter(graduate=world.graduate).count() == 1


def test_only_the_graduate_requests(world):
    with pytest.raises(Forbidden):
        recommendation_request(actor=world.college_admin)


def test_reissue_voids_the_old_form_and_points_at_the_new_one(world):
    first = issue(world.college_admin, world.graduate)
    recommendation_request(actor=world.graduate_user)  # allowed with one issued: asks for a reissue
    second = issue(world.school_admin, world.graduate, opinion="重新签发：该生表现优秀。")
    first.refresh_from_db()
    assert first.status == S.VOID and first.void_reason == "已重新签发" and first.replaced_by_id == second.pk
    assert first.voided_at is not None and first.voided_by == world.school_admin
    assert first.opinion == OPINION  # the old form is never edited, only voided
    assert second.status == S.ISSUED and second.verification_code != first.verification_code
    assert RecommendationForm.objects.filter(graduate=world.graduate, status=S.ISSUED).count() == 1


def test_issue_without_a_request_is_allowed(world):
    form = issue(world.college_admin, world.graduate)
    assert form.status == S.ISSUED and form.requested_at is None


@pytest.mark.parametrize("kw, field", [
    ({"opinion": "  "}, "opinion"),
    ({"opinion": "好" * (MAX_OPINION + 1)}, "opinion"),
    ({"reviewer_name": ""}, "reviewer_name"),
    ({"opinion_date": ""}, "opinion_date"),
    ({"opinion_date": "2026-13-40"}, "opinion_date"),
    ({"opinion_date": timezone.localdate() + timedelta(days=1)}, "opinion_date"),
])
def test_bad_input_is_refused_and_changes_nothing(world, media, kw, field):
    recommendation_request(actor=world.graduate_user)
    with pytest.raises(DomainError) as refused:
        issue(world.college_admin, world.graduate, **kw)
    assert field in refused.value.fields
    assert RecommendationForm.objects.get(graduate=world.graduate).status == S.REQUESTED
    assert not list(media.rglob("*.pdf"))


def test_staff_of_another_college_or_school_are_refused(world):
    recommendation_request(actor=world.graduate_user)
    for actor in (world.other_college_admin, world.other_school_admin):
        with pytest.raises(NotFound):
            issue(actor, world.graduate)
    for actor in (world.province_admin, world.employer_user, world.graduate_user):
        with pytest.raises(Forbidden):
            issue(actor, world.graduate)
    assert RecommendationForm.objects.get(graduate=world.graduate).status == S.REQUESTED


def test_a_failed_issue_leaves_no_file(world, media, monkeypatch):
    import apps.recommendations.services as services

    def boom(**kwargs):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(services, "notify", boom)
    with pytest.raises(RuntimeError):
        issue(world.college_admin, world.graduate)
    assert not RecommendationForm.objects.exists()
    assert not list(media.rglob("*.pdf"))


def test_void_an_issued_form(world):
    form = issue(world.college_admin, world.graduate)
    with pytest.raises(DomainError, match="作废原因"):
        recommendation_void(actor=world.college_admin, form=form, reason=" ")
    with pytest.raises(NotFound):
        recommendation_void(actor=world.other_college_admin, form=form, reason="误签")
    recommendation_void(actor=world.college_admin, form=form, reason="意见填写有误")
    form.refresh_from_db()
    assert form.status == S.VOID and form.void_reason == "意见填写有误" and form.replaced_by_id is None
    with pytest.raises(DomainError, match="只有已签发"):
        recommendation_void(actor=world.college_admin, form=form, reason="再次作废")


def test_the_database_keeps_one_issued_and_one_waiting_form_per_graduate(world):
    now = timezone.now()
    base = {"graduate": world.graduate, "school": world.school, "college": world.college, "status_changed_at": now}
    RecommendationForm.objects.create(status=S.ISSUED, verification_code="TJAAAAAAAAAA", **base)
    RecommendationForm.objects.create(status=S.REQUESTED, **base)
    for status, code in ((S.ISSUED, "TJBBBBBBBBBB"), (S.REQUESTED, None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            RecommendationForm.objects.create(status=status, verification_code=code, **base)
    RecommendationForm.objects.create(status=S.VOID, verification_code="TJCCCCCCCCCC", **base)
    RecommendationForm.objects.create(status=S.VOID, verification_code="TJDDDDDDDDDD", **base)


def test_issue_refuses_an_unknown_graduate_id(world):
    with pytest.raises(NotFound):
        recommendation_issue(actor=world.school_admin, graduate=999999, opinion=OPINION, reviewer_name="张老师",
                             opinion_date=timezone.localdate())
