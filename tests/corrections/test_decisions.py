"""采纳 / 不采纳 / 撤回: who may decide, what acceptance changes, and the audit trail."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.audit.selectors import graduate_history
from apps.audit.services import audit_verify
from apps.core.errors import DomainError, Forbidden
from apps.corrections.models import Correction, CorrectionStatus
from apps.corrections.services import correction_accept, correction_reject, correction_withdraw
from apps.graduates.models import Graduate
from tests.corrections.conftest import valid_id_number


def _reload(c):
    return Correction.objects.get(pk=c.pk)


def test_accepting_an_ethnicity_correction_updates_the_record(world, file_correction):
    c = file_correction(images=[])
    correction_accept(actor=world.school_admin, correction=c, note="已核对户口簿", client_address="10.0.0.1")
    g = Graduate.objects.get(pk=world.graduate.pk)
    assert g.ethnicity_code == "03"
    c = _reload(c)
    assert (c.status, c.decided_by, c.decision_note) == (CorrectionStatus.ACCEPTED, world.school_admin, "已核对户口簿")
    assert c.decided_at is not None
    update = AuditEntry.objects.get(action="graduate.update")
    assert update.summary == f"采纳信息反馈#{c.pk}：民族"
    assert update.changes == {"ethnicity_code": ["", "回族"]}
    assert update.actor_id == world.school_admin.pk and update.client_address == "10.0.0.1"
    # the graduate's change history shows filing, the change and the acceptance
    actions = list(graduate_history(actor=world.graduate_user, graduate_id=g.pk).values_list("action", flat=True))
    assert actions == ["correction.accept", "graduate.update", "correction.file"]
    assert all(report.ok for report in audit_verify())


def test_accepting_a_name_correction_by_the_college_admin(world, file_correction):
    c = file_correction(field="name", proposed_value="王晓明")
    correction_accept(actor=world.college_admin, correction=c)
    assert Graduate.objects.get(pk=world.graduate.pk).name == "王晓明"
    assert _reload(c).decided_by == world.college_admin
    assert all(report.ok for report in audit_verify())


def test_accepting_an_id_number_updates_the_hash_and_forgets_the_clear_value(world, file_correction):
    from apps.core.crypto import keyed_hash

    new_id = valid_id_number(789)
    c = file_correction(field="id_number", proposed_value=new_id)
    correction_accept(actor=world.school_admin, correction=c)
    g = Graduate.objects.get(pk=world.graduate.pk)
    assert g.id_number == new_id and g.id_number_hash == keyed_hash(new_id)
    c = _reload(c)
    assert c.proposed_value == "" and c.proposed_display == g.masked_id_number
    assert new_id not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_accepting_a_college_correction_moves_the_corrections_along(world, file_correction):
    other = file_correction(field="name", proposed_value="王晓明")
    c = file_correction(kind="enrolment", field="college", proposed_value="外国语学院")
    correction_accept(actor=world.school_admin, correction=c)
    assert Graduate.objects.get(pk=world.graduate.pk).college_id == world.other_college.pk
    assert set(Correction.objects.values_list("college_id", flat=True)) == {world.other_college.pk}
    # the old college's admin no longer sees them, the new one does
    with pytest.raises(Forbidden):
        correction_accept(actor=world.college_admin, correction=_reload(other))
    correction_accept(actor=world.other_college_admin, correction=_reload(other))


def test_other_kinds_need_a_note_of_what_staff_did(world, file_correction):
    c = file_correction(kind="archive", field="", proposed_value="档案应寄往合肥市人才服务中心")
    with pytest.raises(DomainError) as exc:
        correction_accept(actor=world.school_admin, correction=c, note="  ")
    assert "note" in exc.value.fields and _reload(c).status == CorrectionStatus.PENDING
    correction_accept(actor=world.school_admin, correction=c, note="已在档案转寄信息中改正")
    c = _reload(c)
    assert c.status == CorrectionStatus.ACCEPTED and c.decision_note == "已在档案转寄信息中改正"
    assert not AuditEntry.objects.filter(action="graduate.update").exists()


def test_rejection_needs_a_reason(world, file_correction):
    c = file_correction()
    for reason in ("", "   "):
        with pytest.raises(DomainError) as exc:
            correction_reject(actor=world.school_admin, correction=c, reason=reason)
        assert exc.value.fields == {"reason": "请填写未采纳的原因"}
    assert _reload(c).status == CorrectionStatus.PENDING
    correction_reject(actor=world.school_admin, correction=c, reason="与学籍系统一致，请携带户口簿到学院核对")
    c = _reload(c)
    assert c.status == CorrectionStatus.REJECTED and c.decision_note.startswith("与学籍系统一致")
    assert Graduate.objects.get(pk=world.graduate.pk).ethnicity_code == ""
    assert AuditEntry.objects.filter(action="correction.reject").get().changes["未采纳原因"][1].startswith("与学籍")


@pytest.mark.parametrize("decide", ["accept", "reject", "withdraw"])
def test_an_already_decided_correction_is_refused(world, file_correction, decide):
    c = file_correction()
    correction_reject(actor=world.school_admin, correction=c, reason="不符合")
    before = AuditEntry.objects.count()
    stale = Correction.objects.get(pk=c.pk)
    with pytest.raises(DomainError) as exc:
        if decide == "accept":
            correction_accept(actor=world.school_admin, correction=stale)
        elif decide == "reject":
            correction_reject(actor=world.college_admin, correction=stale, reason="again")
        else:
            correction_withdraw(actor=world.graduate_user, correction=stale)
    assert exc.value.message == "该反馈已处理"
    assert Graduate.objects.get(pk=world.graduate.pk).ethnicity_code == ""
    assert _reload(c).status == CorrectionStatus.REJECTED and _reload(c).decided_by == world.school_admin
    assert AuditEntry.objects.count() == before


def test_a_stale_object_cannot_accept_twice(world, file_correction):
    c = file_correction(field="name", proposed_value="王晓明")
    copy = Correction.objects.get(pk=c.pk)
    correction_accept(actor=world.school_admin, correction=c)
    with pytest.raises(DomainError, match="该反馈已处理"):
        correction_accept(actor=world.college_admin, correction=copy)
    assert AuditEntry.objects.filter(action="graduate.update").count() == 1


@pytest.mark.parametrize("persona", ["other_college_admin", "other_school_admin"])
def test_staff_outside_scope_change_nothing(world, file_correction, persona):
    c = file_correction()
    with pytest.raises(Forbidden):
        correction_accept(actor=getattr(world, persona), correction=c)
    with pytest.raises(Forbidden):
        correction_reject(actor=getattr(world, persona), correction=c, reason="x")
    assert _reload(c).status == CorrectionStatus.PENDING
    assert Graduate.objects.get(pk=world.graduate.pk).ethnicity_code == ""


@pytest.mark.parametrize("persona", ["graduate_user", "stranger_user", "employer_user", "province_admin"])
def test_graduates_employers_and_province_cannot_decide(world, file_correction, persona):
    c = file_correction()
    with pytest.raises(Forbidden):
        correction_accept(actor=getattr(world, persona), correction=c)
    with pytest.raises(Forbidden):
        correction_reject(actor=getattr(world, persona), correction=c, reason="x")
    assert _reload(c).status == CorrectionStatus.PENDING


def test_an_invalid_value_at_acceptance_changes_nothing(world, file_correction):
    """A code withdrawn between filing and acceptance: graduate_update refuses, all rolls back."""
    from apps.reference.models import CodeEntry
    from apps.reference.selectors import bump_version

    c = file_correction()
    CodeEntry.objects.filter(table__slug="ethnicity", code="03").update(is_active=False)
    bump_version()
    with pytest.raises(DomainError):
        correction_accept(actor=world.school_admin, correction=c)
    assert _reload(c).status == CorrectionStatus.PENDING
    assert Graduate.objects.get(pk=world.graduate.pk).ethnicity_code == ""
    assert not AuditEntry.objects.exclude(action="correction.file").exists()
    CodeEntry.objects.filter(table__slug="ethnicity", code="03").update(is_active=True)
    bump_version()


def test_withdraw_by_the_graduate_only(world, file_correction):
    c = file_correction()
    for persona in ("stranger_user", "school_admin"):
        with pytest.raises(Forbidden):
            correction_withdraw(actor=getattr(world, persona), correction=c)
    correction_withdraw(actor=world.graduate_user, correction=c)
    c = _reload(c)
    assert c.status == CorrectionStatus.WITHDRAWN and c.decided_by is None
    assert AuditEntry.objects.filter(action="correction.withdraw", actor=world.graduate_user).exists()
