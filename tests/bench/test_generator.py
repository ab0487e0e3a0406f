"""The province data generator (bench/generate_province.py) at a tiny size on the test
database: what it writes must be usable by the real application — decryptable personal
fields, a working graduate login, a verifiable audit trail, realistic duplicates — and the
same seed must give the same people."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count
from stdnum.cn import ric

from apps.accounts.models import Role, User
from apps.accounts.services import LoginAttempt, _signing_pin_matches, graduate_login
from apps.audit.models import AuditEntry
from apps.audit.services import audit_verify
from apps.core.crypto import keyed_hash
from apps.core.errors import DomainError
from apps.destinations import catalog
from apps.destinations.models import Destination
from apps.graduates.models import Graduate
from apps.organisations.models import College, Major, School
from apps.signing.models import Agreement, Invitation, Termination
from bench.generate_province import Plan, ProvinceGenerator, bench_pin

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SIZE = 1000


def _generate(seed: int = 7, **sizes) -> ProvinceGenerator:
    plan = Plan(graduates=SIZE, schools=3, colleges=9, majors_per_college=3, seed=seed, now=NOW, **sizes)
    generator = ProvinceGenerator(plan, out=lambda line: None)
    generator.run()
    return generator


def _fingerprint() -> str:
    rows = Graduate.objects.order_by("pk").values_list("name", "student_number", "id_number_hash",
                                                       "origin_division_id", "college__name")
    destinations = Destination.objects.order_by("pk").values_list("graduate_id", "category_code", "status",
                                                                  "submitted_at")
    return hashlib.sha256(repr((list(rows), list(destinations))).encode()).hexdigest()


@pytest.fixture
def generated(reference, media):
    return _generate()


def _login(graduate: Graduate, address: str = "10.0.0.1") -> User:
    return graduate_login(LoginAttempt(school_id=graduate.school_id, name=graduate.name,
                                       student_number=graduate.student_number, id_number=graduate.id_number,
                                       client_address=address))


def test_sizes_and_relations(generated):
    plan = generated.plan
    assert School.objects.count() == 3
    assert College.objects.count() == 9
    assert Major.objects.count() == 27
    assert Graduate.objects.count() == SIZE
    assert set(Graduate.objects.values_list("school__current_cohort", flat=True).distinct()) == {plan.cohort}
    # staff: one province, one per school, one per college, one per employer
    assert User.objects.filter(role=Role.SCHOOL_STAFF).count() == 3
    assert User.objects.filter(role=Role.COLLEGE_STAFF).count() == 9
    assert User.objects.filter(role=Role.EMPLOYER).count() == plan.employers
    # agreements: the asked number, 5 % terminated, never two in force for one graduate
    assert Agreement.objects.count() == plan.agreements == 160
    assert Agreement.objects.filter(status="terminated").count() == 8
    in_force = Agreement.objects.filter(status="in_force").values("graduate").annotate(n=Count("id"))
    assert max(row["n"] for row in in_force) == 1
    assert Termination.objects.filter(status="approved").count() == 8
    # every agreement has its accepted invitation; live offers wait for some graduates
    assert Invitation.objects.filter(status="accepted").count() == 160
    assert Invitation.objects.filter(status="open", expires_at__gt=NOW).count() >= SIZE * plan.open_invitation_rate
    # a graduate with an agreement in force has the online-signing destination
    signed = Agreement.objects.filter(status="in_force").values_list("graduate_id", flat=True)
    categories = set(Destination.objects.filter(graduate_id__in=signed).values_list("category_code", flat=True))
    assert categories == {catalog.online_signing_category_code()}


def test_destinations_mix_is_realistic(generated):
    known = {c.code for c in catalog.categories()}
    by_category = Counter(Destination.objects.values_list("category_code", flat=True))
    assert set(by_category) <= known
    assert len(by_category) >= 10  # spread over the catalog, not one code
    statuses = Counter(Destination.objects.values_list("status", flat=True))
    assert set(statuses) == {"draft", "submitted", "college_approved", "school_approved", "returned"}
    assert statuses["school_approved"] > statuses["returned"]
    # most confirmed graduates registered something; a school-approved one went through both reviews
    assert 0.6 < Destination.objects.count() / SIZE < 0.95
    approved = Destination.objects.filter(status="school_approved").exclude(college_reviewed_at=None).first()
    assert approved.submitted_at < approved.college_reviewed_at < approved.school_reviewed_at
    history = AuditEntry.objects.filter(graduate_id=approved.graduate_id, action__startswith="destination.")
    assert history.count() >= 3


def test_personal_fields_encrypted_and_valid(generated):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, phone FROM graduates_graduate ORDER BY id LIMIT 50")
        raw = {pk: (id_cipher, phone_cipher) for pk, id_cipher, phone_cipher in cursor.fetchall()}
    for graduate in Graduate.objects.filter(pk__in=raw):
        number = graduate.id_number
        assert len(number) == 18 and number[-1] == ric.calc_check_digit(number[:17] + "0")
        assert number not in raw[graduate.pk][0] and graduate.phone not in raw[graduate.pk][1]
        assert graduate.id_number_hash == keyed_hash(number)
        assert graduate.phone_hash == keyed_hash(graduate.phone)
        assert number[:6] == graduate.origin_division_id  # born where they come from
        assert int(number[16]) % 2 == (1 if graduate.gender_code == "1" else 0)


def test_generated_graduate_logs_in_and_has_a_pin(generated):
    graduate = Graduate.objects.filter(user__isnull=False).exclude(signing_pin_hash="").order_by("pk").first()
    user = _login(graduate)
    assert user.graduate_id == graduate.pk
    assert _signing_pin_matches(graduate, bench_pin(graduate.student_number))
    assert not _signing_pin_matches(graduate, "000000" if bench_pin(graduate.student_number) != "000000" else "1")


def test_duplicates_are_a_few_per_thousand(generated):
    per_id = Counter(Graduate.objects.values_list("id_number_hash", flat=True))
    shared = [h for h, n in per_id.items() if n > 1]
    assert max(per_id.values()) == 2  # never thousands (or even three) per ID number
    assert 1 / 1000 <= len(shared) / len(per_id) <= 10 / 1000
    # 双学位: two current records, the login says 信息重复
    double = (Graduate.objects.filter(cohort=generated.plan.cohort).values("school", "id_number_hash")
              .annotate(n=Count("id")).filter(n=2).order_by("school", "id_number_hash").first())
    assert double is not None
    twin = Graduate.objects.filter(school=double["school"], id_number_hash=double["id_number_hash"]).first()
    with pytest.raises(DomainError) as refused:
        _login(twin, "10.0.0.2")
    assert refused.value.code == "duplicate"
    # an older record of a master's student never opens
    old = Graduate.objects.filter(cohort__lt=generated.plan.cohort, id_number_hash__in=shared).first()
    assert old is not None
    if Graduate.objects.filter(school=old.school, id_number_hash=old.id_number_hash, cohort__gt=old.cohort).exists():
        with pytest.raises(DomainError) as refused:
            _login(old, "10.0.0.3")
        assert refused.value.code == "older_record"


def test_audit_chains_verify(generated):
    reports = audit_verify()
    assert reports and all(report.ok for report in reports), [r.problem for r in reports if not r.ok]
    assert sum(report.entries for report in reports) == AuditEntry.objects.count() > SIZE
    assert {r.chain for r in reports} == {f"school:{pk}" for pk in School.objects.values_list("pk", flat=True)}
    # tampering is caught: the chain is the real keyed one, not a decoration
    entry = AuditEntry.objects.order_by("chain", "position")[5]
    AuditEntry.objects.filter(pk=entry.pk).update(summary=entry.summary + "（改）")
    assert not all(report.ok for report in audit_verify())


def test_same_seed_same_data(reference, media):
    with transaction.atomic():
        _generate(seed=11)
        first = _fingerprint()
        transaction.set_rollback(True)
    _generate(seed=11)
    assert _fingerprint() == first
    with transaction.atomic():
        Graduate.objects.update(name="改")  # a changed data set gives another fingerprint
        assert _fingerprint() != first
        transaction.set_rollback(True)
