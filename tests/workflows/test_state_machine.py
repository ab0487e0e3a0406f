"""Stateful workflow test: 毕业去向登记 (C4), 网络签约 (C5) and 网络解约 driven together
through the real service functions by a Hypothesis rule-based state machine.

Three graduates (two in one college, one in another) and two registered employers; every
rule calls a service and accepts success or a `DomainError` (any other exception fails).
A small model predicts which of the two SHOULD happen, and after every step the
invariants are checked: at most one agreement in force per graduate, a signed graduate's
destination matches the agreement (category 10, unit), approved terminations within the
school's limit (SchoolPolicy.max_terminations), every state change inside the explicit
allowed-transition table `ALLOWED`, a refusal changes nothing and is worded in Chinese,
and the audit chain verifies (`audit_verify`).

Each example runs inside its own savepoint (rolled back in `teardown`) with a simulated
clock (`django.utils.timezone.now` patched; the services' own `now=`/`today=` are passed
where they exist), so examples never see each other's rows. The per-example school policy
(signing/termination dates, invitation validity, termination limit, destination cut-off)
is drawn by `build_world`.

CI (derandomised, 20 examples × 25 steps, plus one scripted deep walk):

    .venv/bin/python -m pytest tests/workflows -q
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TEST_DB_SUFFIX=<name> .venv/bin/python -m pytest tests/workflows -q

Longer exploration: STATEFUL_EXAMPLES (default 20), STATEFUL_STEPS (25), STATEFUL_RANDOM=1
(a new seed each run instead of derandomised), STATEFUL_SHRINK=0 (report a failure
unshrunk: shrinking replays examples for up to five minutes), STATEFUL_DEBUG=1 (print
every call with the model's reason and the outcome); `-s` prints what the run exercised:

    STATEFUL_EXAMPLES=500 STATEFUL_RANDOM=1 .venv/bin/python -m pytest tests/workflows -q -s -k state_machine
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, Verbosity
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from apps.accounts.models import Role
from apps.audit.models import AuditEntry
from apps.audit.services import audit_verify
from apps.core import throttle
from apps.core.errors import DomainError
from apps.destinations import catalog
from apps.destinations import services as destinations
from apps.destinations.models import LOCKED_STATUSES, Destination, DestinationSource, DestinationStatus
from apps.organisations.models import SchoolPolicy
from apps.organisations.policy import policy_for
from apps.signing import services as signing
from apps.signing.models import (
    Agreement,
    AgreementStatus,
    Invitation,
    InvitationStatus,
    Termination,
    TerminationStatus,
)
from tests import factories as f
from tests.destinations.builders import valid_data
from tests.signing.helpers import credit_code, png, terms

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "20"))
STEPS = int(os.environ.get("STATEFUL_STEPS", "25"))
RANDOM = os.environ.get("STATEFUL_RANDOM", "") == "1"

PIN = "246810"
WRONG_PIN = "135799"
START = datetime(2026, 10, 15, 9, 0)  # a weekday morning of the 2027届 signing season
EMPLOYER_CODES = (credit_code("91340100MA2N8Q7K0"), credit_code("91340100MA2N9R8L1"))
EMPLOYER_NAMES = ("合肥示例科技有限公司", "芜湖示例制造有限公司")
# respond(): the invitation's possible fates (the PIN confirmation 5 s after 接受 unless said)
RESPONSES = ("accept", "decline", "withdraw", "correct", "accept after 59 s", "accept after 61 s",
             "accept with a wrong PIN", "stranger")
# review_*(): who reviews and how
VERDICTS = ("due approves", "due returns", "other level", "stranger")
# register_destination(): 保存 求职中 (待就业 family, allows signing), 签劳动合同形式就业 (proof),
# 境内升学—研究生 (proof) or 暂不就业 (no proof, blocks signing); upload proof; 提交
REGISTRATIONS = ("save 701", "proof", "submit", "save 11", "save 801", "save 721")
# per call: [successes, refusals], printed with -s to show what the run exercised
OUTCOMES: dict[str, list[int]] = {}
CJK = re.compile(r"[\u4e00-\u9fff]")

INV, AGR, TER, DST = "invitation", "agreement", "termination", "destination"
S = DestinationStatus
ANY = "*"  # any rule (lazy expiry runs inside many services)

# Allowed transitions: (kind, before, after) → the rules that may cause it. `None` is
# "did not exist". Written from the models' choices, PRODUCT.md C4/C5 and the handbook:
# an invitation is decided once; an agreement only ends by an approved termination; a
# termination goes 初审 → 终审; a destination goes 待审核 → 初审通过 → 审核通过 or 退回,
# online signing (re)registers it as 待审核 whatever it was (signing needs 待就业, which
# may itself have been approved), and an approved termination resets it to 未提交 待就业.
ALLOWED = {
    (INV, None, InvitationStatus.OPEN): {"invite"},
    (INV, InvitationStatus.OPEN, InvitationStatus.ACCEPTED): {"accept_confirm"},
    (INV, InvitationStatus.OPEN, InvitationStatus.SUPERSEDED): {"accept_confirm"},
    (INV, InvitationStatus.OPEN, InvitationStatus.DECLINED): {"decline"},
    (INV, InvitationStatus.OPEN, InvitationStatus.WITHDRAWN): {"withdraw"},
    (INV, InvitationStatus.OPEN, InvitationStatus.EXPIRED): {ANY},
    (AGR, None, AgreementStatus.IN_FORCE): {"accept_confirm"},
    (AGR, AgreementStatus.IN_FORCE, AgreementStatus.TERMINATED): {"review_termination"},
    (TER, None, TerminationStatus.SUBMITTED): {"apply_termination"},
    (TER, TerminationStatus.SUBMITTED, TerminationStatus.COLLEGE_APPROVED): {"review_termination"},
    (TER, TerminationStatus.SUBMITTED, TerminationStatus.REJECTED): {"review_termination"},
    (TER, TerminationStatus.COLLEGE_APPROVED, TerminationStatus.APPROVED): {"review_termination"},
    (TER, TerminationStatus.COLLEGE_APPROVED, TerminationStatus.REJECTED): {"review_termination"},
    (DST, None, S.DRAFT): {"save_destination"},
    (DST, None, S.SUBMITTED): {"accept_confirm"},
    (DST, S.DRAFT, S.SUBMITTED): {"submit_destination", "accept_confirm"},
    (DST, S.RETURNED, S.SUBMITTED): {"submit_destination", "accept_confirm", "correct_signed_unit"},
    (DST, S.SUBMITTED, S.COLLEGE_APPROVED): {"review_destination"},
    (DST, S.SUBMITTED, S.RETURNED): {"review_destination"},
    (DST, S.COLLEGE_APPROVED, S.SCHOOL_APPROVED): {"review_destination"},
    (DST, S.COLLEGE_APPROVED, S.RETURNED): {"review_destination"},
    (DST, S.COLLEGE_APPROVED, S.SUBMITTED): {"accept_confirm"},
    (DST, S.SCHOOL_APPROVED, S.SUBMITTED): {"accept_confirm"},
    (DST, S.SUBMITTED, S.DRAFT): {"review_termination"},
    (DST, S.COLLEGE_APPROVED, S.DRAFT): {"review_termination"},
    (DST, S.SCHOOL_APPROVED, S.DRAFT): {"review_termination"},
    (DST, S.RETURNED, S.DRAFT): {"review_termination"},
}


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment)


class SigningWorkflow(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # one savepoint per example: teardown rolls it back, so the next example starts clean
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = _aware(START)
        self._clock = mock.patch("django.utils.timezone.now", new=lambda: self.now)
        self._clock.start()
        self.steps = 0

    def teardown(self):
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the world ---------------------------------------------------------------------

    @initialize(validity=st.sampled_from([1, 3, 7]), max_terminations=st.sampled_from([1, 2]),
                signing_delay=st.sampled_from([0, 2]), termination_delay=st.sampled_from([0, 4]),
                cutoff_days=st.sampled_from([40, 6]))
    def build_world(self, validity, max_terminations, signing_delay, termination_delay, cutoff_days):
        from django.conf import settings as django_settings
        from django.core.cache import cache

        # a leak from the previous example would show here
        assert not Invitation.objects.exists() and not AuditEntry.objects.exists(), "上一个例子的数据未回滚"
        cache.clear()  # PIN throttle counters when they live in the cache (rows roll back with the example)
        self.pin_limit = django_settings.LOGIN_THROTTLE_PER_ACCOUNT
        today = START.date()
        self.school = f.make_school(name="安徽示例大学", code="10359", cohort=2027)
        SchoolPolicy.objects.create(
            school=self.school, signing_opens_on=today + timedelta(days=signing_delay),
            termination_opens_on=today + timedelta(days=termination_delay), invitation_validity_days=validity,
            max_terminations=max_terminations, destination_cutoff_on=today + timedelta(days=cutoff_days))
        self.policy = policy_for(self.school, 2027)
        self.categories = {c.code: c for c in catalog.categories()}  # read once: catalog.category() queries
        college, other_college = f.make_college(self.school, "计算机学院"), f.make_college(self.school, "外国语学院")
        self.graduates = []
        for n, college_of in enumerate((college, college, other_college)):
            graduate = f.make_graduate(college=college_of, name=f"毕业生{n}", pin=PIN,
                                       origin_division_id="340104", phone="13812345678",
                                       origin_confirmed_at=self.now - timedelta(days=1))
            self.graduates.append((graduate, f.graduate_user(graduate)))
        self.college_staff = {
            college.pk: f.make_staff(Role.COLLEGE_STAFF, school=self.school, college=college),
            other_college.pk: f.make_staff(Role.COLLEGE_STAFF, school=self.school, college=other_college),
        }
        self.school_staff = f.make_staff(Role.SCHOOL_STAFF, school=self.school)
        self.employers = []
        for code, name in zip(EMPLOYER_CODES, EMPLOYER_NAMES, strict=True):
            employer = f.make_employer(credit_code=code, name=name)
            self.employers.append((employer, f.make_staff(Role.EMPLOYER, employer=employer)))
        # the model's own count of approved terminations, compared with the database
        self.terminations_used = {g.pk: 0 for g, _ in self.graduates}
        # two invitations waiting from the start (when signing is open), so accepting can come first
        self._invite(0, 0)
        self._invite(1, 1)

    # --- helpers -----------------------------------------------------------------------

    def _snapshot(self) -> dict:
        state = {}
        for pk, status in Invitation.objects.values_list("pk", "status"):
            state[(INV, pk)] = status
        for pk, status in Agreement.objects.values_list("pk", "status"):
            state[(AGR, pk)] = status
        for pk, status in Termination.objects.values_list("pk", "status"):
            state[(TER, pk)] = status
        for graduate_id, status in Destination.objects.values_list("graduate_id", "status"):
            state[(DST, graduate_id)] = status
        return state

    def _do(self, name: str, expect_ok: bool, why: str, call):
        """Run one service call; check the predicted outcome and every state change."""
        before, audits = self._snapshot(), AuditEntry.objects.count()
        try:
            result, error = call(), None
        except DomainError as exc:
            result, error = None, exc
        after = self._snapshot()
        self.steps += 1
        OUTCOMES.setdefault(name, [0, 0])[error is not None] += 1
        if os.environ.get("STATEFUL_DEBUG"):
            print(name, why, "->", "ok" if error is None else error.message)
        changes = {key: (before.get(key), after.get(key)) for key in before.keys() | after.keys()
                   if before.get(key) != after.get(key)}
        for (kind, pk), (old, new) in changes.items():
            allowed = ALLOWED.get((kind, old, new))
            assert allowed and (ANY in allowed or name in allowed), (
                f"{name}: transition outside the table: {kind} {pk} {old} → {new}")
            if (kind, new) == (INV, InvitationStatus.EXPIRED):
                assert Invitation.objects.get(pk=pk).expires_at <= self.now, f"{name}: invitation {pk} expired early"
        if error is not None:
            assert CJK.search(error.message), f"{name}: refusal message not in Chinese: {error.message!r}"
            # a refusal changes nothing (lazy expiry of lapsed invitations excepted)
            assert all((kind, new) == (INV, InvitationStatus.EXPIRED) for (kind, _), (_, new) in changes.items()), (
                f"{name}: refused ({error.message}) but changed {changes}")
            assert AuditEntry.objects.count() == audits, f"{name}: refused but wrote an audit entry"
        else:
            assert AuditEntry.objects.count() > audits or name in ("accept_open", "sweep_expired"), (
                f"{name}: succeeded without an audit entry")
        assert (error is None) == expect_ok, (
            f"{name}: expected {'success' if expect_ok else 'refusal'} ({why}), got "
            f"{'success' if error is None else 'refusal: ' + error.message}")
        return result

    @staticmethod
    def _nth(n: int, wanted: list, everything: list):
        """The n-th of the objects a step can happen to, followed by all of them: small n
        steer the search toward steps that can succeed, larger n keep the refusals coming."""
        pool = wanted + everything
        return pool[n % len(pool)]

    def _pick(self, n: int, wanted) -> tuple:
        return self._nth(n, [pair for pair in self.graduates if wanted(pair[0])], self.graduates)

    def _signed(self, graduate) -> bool:
        return self._agreement(graduate.pk) is not None

    def _has_destination(self, *statuses):
        return lambda graduate: Destination.objects.filter(
            graduate=graduate, **({"status__in": statuses} if statuses else {})).exists()

    def _today(self):
        return timezone.localdate(self.now)

    def _agreement(self, graduate_id) -> Agreement | None:
        return Agreement.objects.filter(graduate_id=graduate_id, status=AgreementStatus.IN_FORCE).first()

    def _destination(self, graduate_id) -> Destination | None:
        return Destination.objects.filter(graduate_id=graduate_id).first()

    def _pin_passes(self, graduate_id, pin_ok: bool) -> bool:
        """The right PIN, and the graduate's PIN counter not at its limit (tries are counted
        first, then compared: a try over the limit is refused whatever the PIN)."""
        return pin_ok and throttle.peek("pin", str(graduate_id)).count < self.pin_limit

    def _may_sign(self, graduate_id, at: datetime) -> tuple[bool, str]:
        """网签 preconditions (PRODUCT.md C5) as the model sees them."""
        if self._agreement(graduate_id) is not None:
            return False, "已有生效协议"
        destination = self._destination(graduate_id)
        if destination is not None and not self.categories[destination.category_code].allows_signing:
            return False, f"去向 {destination.category_code} 不是待就业"
        if timezone.localdate(at) < self.policy.signing_opens_on:
            return False, "未到签约开放日期"
        return True, "满足签约条件"

    def _may_change_destination(self, graduate_id) -> tuple[bool, str]:
        """毕业去向 editable by the graduate (handbook 3(1), PRODUCT.md C4)."""
        if self._today() > self.policy.destination_cutoff_on:
            return False, "已过变更截止日期"
        destination = self._destination(graduate_id)
        if destination is None:
            return True, "尚未登记"
        if destination.source == DestinationSource.ONLINE_SIGNING:
            return False, "已网签"
        if destination.status in LOCKED_STATUSES:
            return False, f"状态{destination.status}锁定"
        if destination.status == S.SUBMITTED:
            return False, "待审核"
        return True, "可以修改"

    # --- rules ------------------------------------------------------------------------------
    # Few rules with an `action` argument rather than one rule per service: Hypothesis turns
    # whole rules off per example (swarm testing), and with 20 examples a dozen separate
    # rules rarely line up into invite → accept → 解约 → 初审 → 终审.

    def _invite(self, g: int, e: int) -> int | None:
        graduate, graduate_user = self.graduates[g]
        employer, employer_user = self.employers[e]
        expect, why = True, "可以发出邀约"
        if self._agreement(graduate.pk) is not None:
            expect, why = False, "毕业生已有生效协议"
        elif self._today() < self.policy.signing_opens_on:
            expect, why = False, "未到签约开放日期"
        elif Invitation.objects.filter(graduate=graduate, employer=employer, status=InvitationStatus.OPEN,
                                       expires_at__gt=self.now).exists():
            expect, why = False, "同一单位已有待处理邀约"

        def call():
            card, _ = signing.card_issue(actor=graduate_user, now=self.now)
            return signing.invitation_create(
                card=card, data=terms(unit_name=EMPLOYER_NAMES[e], credit_code=EMPLOYER_CODES[e]),
                certificate=png(), employer_user=employer_user, client_address="10.1.1.1", now=self.now)[0]

        invitation = self._do("invite", expect, why, call)
        if invitation is None:
            return None
        assert invitation.expires_at == self.now + timedelta(days=self.policy.invitation_validity_days)
        return invitation.pk

    @rule(g=st.integers(0, 2), e=st.integers(0, 1))
    def invite(self, g, e):
        """The employer scans the graduate's 二维码名片 and sends 邀约确认."""
        self._invite(g, e)

    @precondition(lambda self: Invitation.objects.exists())
    @rule(action=st.sampled_from(RESPONSES), n=st.integers(0, 4))
    def respond(self, action, n):
        """One invitation's fate: the graduate accepts (接受, then 确认 with the PIN seconds
        later) or declines, the employer withdraws or corrects its unit data after a review
        return, or another graduate tries to decide it. Small n pick a live invitation (an
        agreement's for "correct"), larger n any."""
        everything = list(Invitation.objects.order_by("pk"))
        if action == "correct":
            wanted = [i for i in everything if i.status == InvitationStatus.ACCEPTED
                      and Agreement.objects.filter(invitation=i, status=AgreementStatus.IN_FORCE).exists()]
        else:
            wanted = [i for i in everything if i.status == InvitationStatus.OPEN and i.expires_at > self.now]
        invitation = self._nth(n, wanted, everything)
        graduate_id = invitation.graduate_id
        user = self._user_of(graduate_id)
        employer_user = next(u for employer, u in self.employers if employer.pk == invitation.employer_id)
        live = invitation.status == InvitationStatus.OPEN and invitation.expires_at > self.now
        state = f"邀约{invitation.get_status_display()}{'' if invitation.expires_at > self.now else '（已到期）'}"
        if action == "decline":
            self._do("decline", live, state, lambda: signing.invitation_decline(
                actor=user, invitation=invitation, reason="已有其他打算"))
        elif action == "withdraw":
            self._do("withdraw", live, state, lambda: signing.invitation_withdraw(
                invitation=invitation, employer_user=employer_user, client_address="10.1.1.1"))
        elif action == "stranger":
            _, stranger = next(pair for pair in self.graduates if pair[0].pk != graduate_id)
            self._do("stranger_decline", False, "不是本人的邀约", lambda: signing.invitation_decline(
                actor=stranger, invitation=invitation, reason="冒名拒绝"))
            self._do("stranger_accept", False, "不是本人的邀约", lambda: signing.acceptance_open(
                actor=stranger, invitation=invitation, now=self.now))
        elif action == "correct":
            agreement = Agreement.objects.filter(invitation=invitation, status=AgreementStatus.IN_FORCE).first()
            destination = self._destination(graduate_id)
            expect = agreement is not None and destination is not None and destination.status == S.RETURNED
            self._do("correct_signed_unit", expect, "协议有效且被退回" if expect else "不是被退回的网签去向",
                     lambda: signing.signed_unit_correct(
                         invitation=invitation, employer_user=employer_user,
                         changes={"unit_address": f"合肥市蜀山区更正路{self.steps}号"}))
        else:
            delay = {"accept after 59 s": 59, "accept after 61 s": 61}.get(action, 5)
            self._accept(invitation, user, live, state, delay, pin_ok=action != "accept with a wrong PIN")

    def _accept(self, invitation, user, live, state, delay, pin_ok):
        graduate_id = invitation.graduate_id
        may, why = self._may_sign(graduate_id, self.now)
        self._do("accept_open", live and may, why if live else state,
                 lambda: signing.acceptance_open(actor=user, invitation=invitation, now=self.now))
        # 确认 `delay` seconds later (whether or not 接受 just worked: an earlier window may still be open)
        self.now += timedelta(seconds=delay)
        invitation.refresh_from_db()
        opened = invitation.confirm_opened_at
        window = opened is not None and (self.now - opened).total_seconds() <= signing.CONFIRM_WINDOW_SECONDS
        live = invitation.status == InvitationStatus.OPEN and invitation.expires_at > self.now
        may, why = self._may_sign(graduate_id, self.now)
        pin = self._pin_passes(graduate_id, pin_ok)
        if not (live and window and pin):
            why = "邀约已结束或过期" if not live else "超过60秒" if not window else "签约密码错误或已锁定"
        agreement = self._do("accept_confirm", live and window and pin and may, why,
                             lambda: signing.acceptance_confirm(
                                 actor=user, invitation=invitation, pin=PIN if pin_ok else WRONG_PIN,
                                 client_address="10.2.2.2", now=self.now))
        if agreement is not None:
            assert not Invitation.objects.filter(graduate_id=graduate_id, status=InvitationStatus.OPEN).exists()
            destination = self._destination(graduate_id)
            assert destination is not None and (destination.status, destination.source) == (
                S.SUBMITTED, DestinationSource.ONLINE_SIGNING), f"signed, destination {destination and destination.status}"

    @rule(action=st.sampled_from(REGISTRATIONS), n=st.integers(0, 4))
    def register_destination(self, action, n):
        """毕业去向登记 by the graduate: 保存 a category, upload proof, 提交."""
        action, _, code = action.partition(" ")
        if action == "save":
            graduate, user = self._pick(n, lambda g: not self._signed(g))
        else:
            graduate, user = self._pick(n, self._has_destination(S.DRAFT, S.RETURNED))
        before = self._destination(graduate.pk)
        expect, why = self._may_change_destination(graduate.pk)
        if action == "save":
            saved = self._do("save_destination", expect, why, lambda: destinations.destination_save(
                actor=user, graduate=graduate, category_code=code, data=valid_data(code), today=self._today()))
            if saved is not None:
                kept = S.RETURNED if before is not None and before.status == S.RETURNED else S.DRAFT
                assert (saved.status, saved.category_code, saved.source) == (kept, code, DestinationSource.MANUAL)
            return
        if before is None:
            expect, why = False, "尚未登记"
        elif action == "proof":
            if expect and before.images.count() >= 4:
                expect, why = False, "已有4张材料"
            self._do("add_proof", expect, why, lambda: destinations.destination_add_image(
                actor=user, graduate=graduate, uploaded=png("proof.png"), today=self._today()))
            return
        elif expect and self.categories[before.category_code].proof_required and not before.images.exists():
            expect, why = False, "缺少证明材料"
        self._do("submit_destination", expect, why, lambda: destinations.destination_submit(
            actor=user, graduate=graduate, today=self._today()))

    def _reviewer(self, college_id, status, verdict):
        """"due …" = the level whose turn it is (初审 college while submitted, else the
        school), "other level" = the other one, "stranger" = the other college's staff."""
        approve = verdict != "due returns"
        if verdict == "stranger":
            return next(s for pk, s in self.college_staff.items() if pk != college_id), "stranger", approve
        college_turn = status == S.SUBMITTED  # same value for terminations
        if verdict.startswith("due") == college_turn:
            return self.college_staff[college_id], "college", approve
        return self.school_staff, "school", approve

    @rule(verdict=st.sampled_from(VERDICTS), n=st.integers(0, 4))
    def review_destination(self, verdict, n):
        """院系初审 / 学校终审 of a destination, online-signed ones included (退回 keeps the agreement)."""
        graduate, _ = self._pick(n, self._has_destination(S.SUBMITTED, S.COLLEGE_APPROVED))
        destination = self._destination(graduate.pk)
        if destination is None:
            return
        staff, level, approve = self._reviewer(graduate.college_id, destination.status, verdict)
        expected_status = {"college": S.SUBMITTED, "school": S.COLLEGE_APPROVED}.get(level)
        expect = destination.status == expected_status
        reviewed = self._do("review_destination", expect, f"{level}审核{destination.status}",
                            lambda: destinations.destination_review(actor=staff, destination=destination,
                                                                    approve=approve, reason="" if approve else "单位名称有错字"))
        if reviewed is not None:
            wanted = S.RETURNED if not approve else S.COLLEGE_APPROVED if level == "college" else S.SCHOOL_APPROVED
            assert reviewed.status == wanted
            if destination.source == DestinationSource.ONLINE_SIGNING:
                assert self._agreement(graduate.pk) is not None, "审核退回不应解除协议"

    @precondition(lambda self: Agreement.objects.exists())
    @rule(pin_ok=st.sampled_from([True, False]), n=st.integers(0, 4))
    def apply_termination(self, pin_ok, n):
        """网络解约申请 with the employer's release letter and the PIN."""
        graduate, user = self._pick(n, self._signed)
        agreement = self._agreement(graduate.pk)
        expect, why = True, "可以申请解约"
        if agreement is None:
            expect, why = False, "没有生效协议"
        elif not self._pin_passes(graduate.pk, pin_ok):
            expect, why = False, "签约密码错误或已锁定"
        elif self._today() < self.policy.termination_opens_on:
            expect, why = False, "未到解约日期"
        elif self.terminations_used[graduate.pk] >= self.policy.max_terminations:
            expect, why = False, "已达最大解约次数"
        elif Termination.objects.filter(agreement=agreement, status__in=[TerminationStatus.SUBMITTED,
                                                                         TerminationStatus.COLLEGE_APPROVED]).exists():
            expect, why = False, "已有待审核的解约申请"
        termination = self._do("apply_termination", expect, why, lambda: signing.termination_apply(
            actor=user, reason="further_study", explanation="考取研究生，单位同意解约", letters=[png("letter.png")],
            pin=PIN if pin_ok else WRONG_PIN, client_address="10.3.3.3", now=self.now))
        if termination is not None:
            assert termination.status == TerminationStatus.SUBMITTED

    @precondition(lambda self: Termination.objects.exists())
    @rule(verdict=st.sampled_from(VERDICTS), n=st.integers(0, 4))
    def review_termination(self, verdict, n):
        """解约 院系初审 then 学校终审; 终审通过 ends the agreement and resets the destination.
        Small n pick a pending termination, larger n any."""
        everything = list(Termination.objects.order_by("pk"))
        pending = [t for t in everything if t.status in (TerminationStatus.SUBMITTED, TerminationStatus.COLLEGE_APPROVED)]
        termination = self._nth(n, pending, everything)
        staff, level, approve = self._reviewer(termination.college_id, termination.status, verdict)
        expected_status = {"college": TerminationStatus.SUBMITTED, "school": TerminationStatus.COLLEGE_APPROVED}.get(level)
        expect = termination.status == expected_status
        reviewed = self._do("review_termination", expect, f"{level}审核{termination.status}",
                            lambda: signing.termination_review(actor=staff, termination=termination, approve=approve,
                                                               reason="" if approve else "解约材料未盖章",
                                                               now=self.now))
        if reviewed is not None and reviewed.status == TerminationStatus.APPROVED:
            self.terminations_used[termination.graduate_id] += 1
            destination = self._destination(termination.graduate_id)
            assert (destination.status, destination.category_code, destination.source) == (
                S.DRAFT, catalog.after_termination_category_code(), DestinationSource.SYSTEM)

    @rule(step=st.sampled_from(["minute", "hour", "day", "3 days", "8 days", "cutoff"]), sweep=st.booleans())
    def time_passes(self, step, sweep):
        """The clock moves; "cutoff" jumps to the day after 毕业去向变更截止
        (policy.destination_cutoff_on); `sweep` runs the hourly expire_invitations job."""
        OUTCOMES.setdefault(f"time: {step}", [0, 0])[0] += 1
        if step == "cutoff" and self.steps >= 15:  # late in the season: earlier steps get their chance
            after = _aware(datetime.combine(self.policy.destination_cutoff_on + timedelta(days=1), START.time()))
            self.now = max(self.now, after)
        elif step == "cutoff":
            self.now += timedelta(days=1)
        else:
            self.now += {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1),
                         "3 days": timedelta(days=3), "8 days": timedelta(days=8)}[step]
        if sweep:
            self._do("sweep_expired", True, "定时任务", lambda: signing.invitations_expire(self.now))
            assert not Invitation.objects.filter(status=InvitationStatus.OPEN, expires_at__lte=self.now).exists()

    def _user_of(self, graduate_id):
        return next(user for graduate, user in self.graduates if graduate.pk == graduate_id)

    # --- invariants (checked after every step; a handful of queries for the whole world) ---

    @invariant()
    def signing_invariants(self):
        if not hasattr(self, "graduates"):
            return
        online = catalog.online_signing_category_code()
        names = {g.pk: g.name for g, _ in self.graduates}
        in_force: dict[int, list[Agreement]] = {}
        for agreement in Agreement.objects.select_related("invitation").filter(status=AgreementStatus.IN_FORCE):
            in_force.setdefault(agreement.graduate_id, []).append(agreement)
        destinations_by_graduate = {d.graduate_id: d for d in Destination.objects.all()}
        holding_open = set(Invitation.objects.filter(status=InvitationStatus.OPEN).values_list("graduate_id", flat=True))
        for graduate_id, name in names.items():
            agreements = in_force.get(graduate_id, [])
            assert len(agreements) <= 1, f"{name}: {len(agreements)} agreements in force"
            destination = destinations_by_graduate.get(graduate_id)
            if agreements:
                invitation = agreements[0].invitation
                assert invitation.status == InvitationStatus.ACCEPTED
                assert destination is not None, f"{name}: signed but no destination"
                assert (destination.source, destination.category_code) == (DestinationSource.ONLINE_SIGNING, online), (
                    f"{name}: signed but destination is {destination.category_code}/{destination.source}")
                assert (destination.unit_name, destination.credit_code, destination.unit_address) == (
                    invitation.unit_name, invitation.credit_code, invitation.unit_address), (
                    f"{name}: destination unit differs from the agreement's")
                assert graduate_id not in holding_open, f"{name}: signed yet holds an open invitation"
            elif destination is not None:
                assert destination.source != DestinationSource.ONLINE_SIGNING, (
                    f"{name}: online-signed destination without an agreement in force")
        # 解约: within the school's limit, and each approved one ended exactly one agreement
        approved, terminated = Counter(), Counter()
        for graduate_id in Termination.objects.filter(status=TerminationStatus.APPROVED).values_list("graduate_id", flat=True):
            approved[graduate_id] += 1
        for graduate_id in Agreement.objects.filter(status=AgreementStatus.TERMINATED).values_list("graduate_id", flat=True):
            terminated[graduate_id] += 1
        for graduate_id, name in names.items():
            assert approved[graduate_id] == self.terminations_used[graduate_id]
            assert approved[graduate_id] <= self.policy.max_terminations, f"{name}: over the termination limit"
            assert terminated[graduate_id] == approved[graduate_id], (
                f"{name}: {terminated[graduate_id]} agreements terminated, {approved[graduate_id]} terminations approved")
        assert Agreement.objects.count() == Invitation.objects.filter(status=InvitationStatus.ACCEPTED).count()
        broken = [report for report in audit_verify() if not report.ok]
        assert not broken, f"audit chain broken: {broken}"


@pytest.fixture
def private_media(settings, tmp_path):
    """Certificates, letters and proof images go to a temporary directory, never var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


def run_settings():
    return hypothesis_settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=not RANDOM, database=None,
        print_blob=False, verbosity=Verbosity.verbose if os.environ.get("STATEFUL_VERBOSE") else Verbosity.normal,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        # shrinking a failure replays examples for up to 5 minutes; STATEFUL_SHRINK=0 prints it unshrunk
        phases=[phase for phase in Phase if os.environ.get("STATEFUL_SHRINK") != "0" or phase != Phase.shrink])


def test_signing_workflow_state_machine(reference, private_media):
    OUTCOMES.clear()
    started = time.monotonic()
    run_state_machine_as_test(SigningWorkflow, settings=run_settings())
    print(f"\nstateful workflow: {EXAMPLES} examples × {STEPS} steps in {time.monotonic() - started:.1f} s")
    for name, (ok, refused) in sorted(OUTCOMES.items()):
        print(f"  {name:22} success {ok:5}  refused {refused:5}")


def test_scripted_walk_reaches_the_deep_states(reference, private_media):
    """The same machine, rules and invariants along one fixed path the random search reaches
    only now and then in 20 examples: sign, review with a return and the employer's
    correction, PIN lock-out, terminate (limit 1), sign again, hit the limit, lapse, pass
    the cut-off."""
    OUTCOMES.clear()
    machine = SigningWorkflow()
    try:
        def step(rule, **kwargs):
            rule(**kwargs)
            machine.signing_invariants()

        step(machine.build_world, validity=7, max_terminations=1, signing_delay=0, termination_delay=0,
             cutoff_days=40)  # invites 毕业生0 ← 单位0 and 毕业生1 ← 单位1
        g0, g1, g2 = (graduate for graduate, _ in machine.graduates)
        step(machine.invite, g=0, e=1)
        step(machine.respond, action="accept", n=0)  # 毕业生0 signs with 单位0
        assert machine._agreement(g0.pk).employer_id == machine.employers[0][0].pk
        assert Invitation.objects.get(graduate=g0, employer=machine.employers[1][0]).status == InvitationStatus.SUPERSEDED
        # 毕业生1 registers 签劳动合同形式就业 with proof: her open invitation can no longer be accepted
        step(machine.register_destination, action="save 11", n=0)
        step(machine.register_destination, action="proof", n=0)
        step(machine.register_destination, action="submit", n=0)
        step(machine.respond, action="accept", n=0)
        assert machine._agreement(g1.pk) is None
        # review of 毕业生0's signed record: college approves, school returns, the employer corrects
        step(machine.review_destination, verdict="due approves", n=0)
        step(machine.review_destination, verdict="stranger", n=0)  # the other college: refused
        step(machine.review_destination, verdict="due returns", n=0)
        assert machine._destination(g0.pk).status == S.RETURNED and machine._agreement(g0.pk) is not None
        step(machine.respond, action="correct", n=0)
        assert machine._destination(g0.pk).status == S.SUBMITTED
        step(machine.review_destination, verdict="due approves", n=0)
        step(machine.review_destination, verdict="due approves", n=0)
        assert machine._destination(g0.pk).status == S.SCHOOL_APPROVED
        # 解约: wrong PINs up to the limit lock even the right one until the window closes;
        # then college 初审 and school 终审
        for _ in range(machine.pin_limit):
            step(machine.apply_termination, pin_ok=False, n=0)
        step(machine.apply_termination, pin_ok=True, n=0)
        assert not Termination.objects.exists()
        step(machine.time_passes, step="hour", sweep=False)
        step(machine.apply_termination, pin_ok=True, n=0)
        step(machine.review_termination, verdict="other level", n=0)  # school first: refused
        step(machine.review_termination, verdict="due approves", n=0)
        step(machine.review_termination, verdict="due approves", n=0)
        assert machine._agreement(g0.pk) is None and machine.terminations_used[g0.pk] == 1
        # signs again with 单位1, then the limit (1) refuses a second termination
        step(machine.invite, g=0, e=1)
        step(machine.respond, action="accept", n=1)
        assert machine._agreement(g0.pk).employer_id == machine.employers[1][0].pk
        step(machine.apply_termination, pin_ok=True, n=0)
        assert not Termination.objects.filter(status=TerminationStatus.SUBMITTED).exists()
        # a late 确认 (61 s) is refused; then everything open lapses; then the cut-off passes
        step(machine.invite, g=2, e=0)
        step(machine.respond, action="accept after 61 s", n=1)
        late = Invitation.objects.get(graduate=g2)
        assert late.confirm_opened_at is not None and machine._agreement(g2.pk) is None
        step(machine.time_passes, step="8 days", sweep=True)
        assert not Invitation.objects.filter(status=InvitationStatus.OPEN).exists()
        step(machine.time_passes, step="cutoff", sweep=False)
        step(machine.register_destination, action="save 701", n=1)
        assert machine._destination(g2.pk) is None
    finally:
        machine.teardown()
    refused = {name for name, (_, no) in OUTCOMES.items() if no}
    assert {"accept_confirm", "review_destination", "review_termination", "apply_termination",
            "save_destination"} <= refused
