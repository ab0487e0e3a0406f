from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.audit.models import AuditEntry
from apps.audit.services import audit_record, audit_verify


def _entries(world, n=3):
    for i in range(n):
        audit_record(actor=world.school_admin, action="test.action", summary=f"第{i}条", target=world.graduate,
                     school_id=world.school.pk, graduate_id=world.graduate.pk, changes={"phone": ["138****0000", f"139****000{i}"]})


def test_chain_verifies_after_appends(world):
    _entries(world)
    reports = audit_verify()
    assert [(r.chain, r.entries, r.ok) for r in reports] == [(f"school:{world.school.pk}", 3, True)]
    call_command("audit_verify")


@pytest.mark.parametrize("field, value", [("summary", "改过"), ("changes", {"phone": ["x", "y"]}), ("actor_label", "某人")])
def test_altering_any_row_breaks_the_chain(world, field, value):
    _entries(world)
    victim = AuditEntry.objects.get(position=2)
    AuditEntry.objects.filter(pk=victim.pk).update(**{field: value})  # behind the service's back
    report = audit_verify()[0]
    assert not report.ok and report.broken_at == 2
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_deleting_the_last_row_is_detected(world):
    _entries(world)
    AuditEntry.objects.filter(position=3).delete()
    assert not audit_verify()[0].ok


def test_schools_have_separate_chains(world):
    _entries(world, 2)
    audit_record(actor=world.other_school_admin, action="x", summary="y", target=world.stranger,
                 school_id=world.other_school.pk)
    assert {r.chain: r.entries for r in audit_verify()} == {f"school:{world.school.pk}": 2,
                                                           f"school:{world.other_school.pk}": 1}
