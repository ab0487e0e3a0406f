"""An approved agreement always gets its PDF, even when the worker rendering it is killed:
the task row no longer stays RUNNING forever, recover_jobs re-enqueues the generation, a
fresh worker produces exactly one PDF; meanwhile the download renders it on demand and
staff can press 「重新生成」."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.audit.models import AuditEntry
from apps.destinations.models import Destination
from apps.destinations.services import destination_review
from apps.signing.documents import agreement_generate_pdf, check_uploaded_pdf
from apps.signing.recovery import recover_missing_pdfs
from apps.signing.tasks import generate_agreement_pdf
from tests.signing.helpers import accept, invite, make_ready
from tests.worker_harness import database_tasks, db_worker


@pytest.fixture
def media(settings, tmp_path, monkeypatch):
    """Private media in a fresh directory, for this process and for harness workers."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(root), "base_url": None}},
    }
    monkeypatch.setenv("PLATFORM_MEDIA_ROOT", str(root))
    return root


def pdf_files(root: Path) -> list[Path]:
    return sorted((root / "agreements").rglob("*.pdf")) if (root / "agreements").exists() else []


def approve_both(world):
    destination = Destination.objects.get(graduate=world.graduate)
    destination_review(actor=world.college_admin, destination=destination, approve=True)
    destination_review(actor=world.school_admin, destination=destination, approve=True)


@pytest.fixture
def signed(world):
    make_ready(world.graduate)
    invitation, _ = invite(world.graduate, world.graduate_user)
    return accept(world.graduate_user, invitation)


@pytest.fixture
def approved_without_pdf(world, signed):
    """School approval whose background generation never ran (outside a transactional test
    the approval's on_commit enqueue never fires: the same state a lost worker leaves)."""
    approve_both(world)
    signed.refresh_from_db()
    assert not signed.pdf
    return signed


def staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> dict:
    from apps.accounts.services import api_token_issue

    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}


# --- the real thing: SIGKILL mid-render --------------------------------------------------------

def _generation_rows():
    return DBTaskResult.objects.filter(task_path=generate_agreement_pdf.module_path)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_while_rendering_then_recover_jobs_and_a_fresh_worker_issue_the_pdf_once(
        world, signed, media, settings):
    settings.JOB_LEASE_SECONDS = 600
    settings.AGREEMENT_PDF_GRACE_SECONDS = 0
    with database_tasks():
        with db_worker(pause="agreement_pdf:120") as worker:
            approve_both(world)  # commits: the approval enqueues generation on the database queue
            first = _generation_rows().get()
            worker.wait_running(first.pk)
            worker.wait_paused()
            worker.kill()
        first.refresh_from_db()
        signed.refresh_from_db()
        assert first.status == "RUNNING" and not signed.pdf and pdf_files(media) == []

        # the staff page says so and offers the retry
        page = staff(world.school_admin).get(f"/staff/agreements/{signed.pk}/").content.decode()
        assert "协议书尚未生成" in page and "重新生成" in page

        # within the lease nothing can tell a slow worker from a dead one: no duplicate enqueue
        call_command("recover_jobs", verbosity=0)
        assert list(_generation_rows().values_list("status", flat=True)) == ["RUNNING"]

        settings.JOB_LEASE_SECONDS = 0
        call_command("recover_jobs", verbosity=0)
        call_command("recover_jobs", verbosity=0)  # idempotent: the queued retry is not doubled
        first.refresh_from_db()
        assert first.status == "FAILED"
        retry = _generation_rows().get(status="READY")
        assert AuditEntry.objects.filter(action="agreement.pdf_retry", target_id=str(signed.pk),
                                         actor_kind="system").count() == 1

        with db_worker() as fresh:
            assert fresh.wait_finished(retry.pk) == "SUCCESSFUL"

    signed.refresh_from_db()
    files = pdf_files(media)
    assert len(files) == 1 and signed.pdf.name.endswith(files[0].name)
    data = files[0].read_bytes()
    check = check_uploaded_pdf(data)
    assert check.signature_intact and check.matches_current and check.agreement == signed
    # and the staff download serves exactly that file
    response = staff(world.school_admin).get(f"/staff/agreements/{signed.pk}/pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert recover_missing_pdfs() == 0


# --- generation is idempotent ------------------------------------------------------------------------

@pytest.mark.django_db
def test_generating_twice_keeps_the_first_pdf(approved_without_pdf, media):
    assert agreement_generate_pdf(approved_without_pdf.pk) is True
    approved_without_pdf.refresh_from_db()
    first = (approved_without_pdf.pdf.name, approved_without_pdf.pdf_sha256)
    assert agreement_generate_pdf(approved_without_pdf.pk) is False
    approved_without_pdf.refresh_from_db()
    assert (approved_without_pdf.pdf.name, approved_without_pdf.pdf_sha256) == first
    assert len(pdf_files(media)) == 1


@pytest.mark.django_db
def test_a_run_interrupted_after_writing_its_file_does_not_count_as_done(approved_without_pdf, media, monkeypatch):
    from django.core.files.storage import default_storage

    real_save = default_storage.save

    def save_then_die(name, content, **kw):
        real_save(name, content, **kw)
        raise SystemExit("worker killed")  # the moment between the file and the database row

    monkeypatch.setattr(default_storage, "save", save_then_die)
    with pytest.raises(SystemExit):
        agreement_generate_pdf(approved_without_pdf.pk)
    monkeypatch.undo()
    approved_without_pdf.refresh_from_db()
    assert not approved_without_pdf.pdf  # the orphan file is nobody's PDF
    assert agreement_generate_pdf(approved_without_pdf.pk) is True
    approved_without_pdf.refresh_from_db()
    assert check_uploaded_pdf(approved_without_pdf.pdf.read()).matches_current


@pytest.mark.django_db
def test_two_runs_racing_leave_one_pdf(approved_without_pdf, media, monkeypatch):
    from apps.core import jobs

    raced = []

    def other_run_finishes_first(name):
        if not raced:
            raced.append(name)
            assert agreement_generate_pdf(approved_without_pdf.pk) is True

    monkeypatch.setattr(jobs, "checkpoint", other_run_finishes_first)
    assert agreement_generate_pdf(approved_without_pdf.pk) is False
    approved_without_pdf.refresh_from_db()
    files = pdf_files(media)
    assert len(files) == 1 and approved_without_pdf.pdf.name.endswith(files[0].name)


@pytest.mark.django_db
def test_no_pdf_for_an_agreement_the_school_has_not_approved(signed, media):
    assert agreement_generate_pdf(signed.pk) is False
    signed.refresh_from_db()
    assert not signed.pdf and pdf_files(media) == []


# --- the download renders on demand ----------------------------------------------------------------

@pytest.mark.django_db
def test_staff_download_renders_a_missing_pdf_on_demand(world, approved_without_pdf, media):
    response = staff(world.college_admin).get(f"/staff/agreements/{approved_without_pdf.pk}/pdf")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF") and check_uploaded_pdf(data).matches_current
    approved_without_pdf.refresh_from_db()
    assert approved_without_pdf.pdf and len(pdf_files(media)) == 1


@pytest.mark.django_db
def test_api_download_renders_a_missing_pdf_for_the_graduate(world, approved_without_pdf, media):
    response = Client().get(f"/api/v1/agreements/{approved_without_pdf.pk}/pdf", **api(world.graduate_user))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert len(pdf_files(media)) == 1


@pytest.mark.django_db
def test_download_before_approval_still_says_not_generated(world, signed, media):
    r = Client().get(f"/api/v1/agreements/{signed.pk}/pdf", **api(world.graduate_user))
    assert r.status_code == 404 and "学校审核通过后生成" in r.json()["error"]["message"]
    assert staff(world.school_admin).get(f"/staff/agreements/{signed.pk}/pdf").status_code == 404
    assert pdf_files(media) == []


# --- 「重新生成」 -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_retry_button_regenerates_and_is_audited(world, approved_without_pdf, media,
                                                django_capture_on_commit_callbacks):
    school = staff(world.school_admin)
    page = school.get(f"/staff/agreements/{approved_without_pdf.pk}/").content.decode()
    assert 'id="agreement-pdf-retry"' in page and "协议书尚未生成" in page
    with django_capture_on_commit_callbacks(execute=True):  # the task runs once the request has committed
        r = school.post(f"/staff/agreements/{approved_without_pdf.pk}/pdf/retry", follow=True)
    assert "已提交重新生成协议书" in r.content.decode()
    html = school.get(f"/staff/agreements/{approved_without_pdf.pk}/").content.decode()
    assert 'id="agreement-pdf-retry"' not in html and "查看协议书PDF" in html
    approved_without_pdf.refresh_from_db()
    assert approved_without_pdf.pdf and len(pdf_files(media)) == 1
    entry = AuditEntry.objects.get(action="agreement.pdf_retry")
    assert entry.actor == world.school_admin and entry.target_id == str(approved_without_pdf.pk)

    again = school.post(f"/staff/agreements/{approved_without_pdf.pk}/pdf/retry", follow=True)
    assert "协议书已生成，无需重新生成" in again.content.decode()
    assert AuditEntry.objects.filter(action="agreement.pdf_retry").count() == 1


@pytest.mark.django_db
def test_retry_is_for_reviewers_of_that_agreement_only(world, approved_without_pdf, media):
    page = staff(world.province_admin).get(f"/staff/agreements/{approved_without_pdf.pk}/").content.decode()
    assert "协议书尚未生成" in page and 'id="agreement-pdf-retry"' not in page
    assert staff(world.province_admin).post(f"/staff/agreements/{approved_without_pdf.pk}/pdf/retry").status_code == 403
    assert staff(world.other_school_admin).post(f"/staff/agreements/{approved_without_pdf.pk}/pdf/retry").status_code == 404
    url = f"/api/v1/agreements/{approved_without_pdf.pk}/pdf/retry"
    assert Client().post(url, **api(world.employer_user)).status_code == 403
    assert Client().post(url, **api(world.graduate_user)).status_code == 403
    assert not AuditEntry.objects.filter(action="agreement.pdf_retry").exists()
    assert pdf_files(media) == []


@pytest.mark.django_db
def test_api_retry(world, approved_without_pdf, media, django_capture_on_commit_callbacks):
    url = f"/api/v1/agreements/{approved_without_pdf.pk}"
    before = Client().get(url, **api(world.college_admin)).json()
    assert before["pdf_missing"] is True and before["pdf_available"] is False
    with django_capture_on_commit_callbacks(execute=True):
        r = Client().post(f"{url}/pdf/retry", **api(world.college_admin))
    assert r.status_code == 200 and r.json()["id"] == approved_without_pdf.pk
    after = Client().get(url, **api(world.college_admin)).json()
    assert after["pdf_available"] is True and after["pdf_missing"] is False
    refused = Client().post(f"{url}/pdf/retry", **api(world.college_admin))
    assert refused.status_code == 400 and refused.json()["error"]["message"] == "协议书已生成，无需重新生成"


@pytest.mark.django_db
def test_api_retry_refuses_an_unapproved_agreement(world, signed, media):
    r = Client().post(f"/api/v1/agreements/{signed.pk}/pdf/retry", **api(world.school_admin))
    assert r.status_code == 400 and "学校审核通过后生成" in r.json()["error"]["message"]
    assert not AuditEntry.objects.filter(action="agreement.pdf_retry").exists()


# --- periodic recovery ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_recovery_waits_for_the_grace_period_then_reenqueues_once(approved_without_pdf, media, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.AGREEMENT_PDF_GRACE_SECONDS = 300
    assert recover_missing_pdfs() == 0  # just approved: the normal job may still be on its way
    later = timezone.now() + timedelta(seconds=301)
    with django_capture_on_commit_callbacks(execute=True):  # inline task backend: runs at commit
        assert recover_missing_pdfs(now=later) == 1
    approved_without_pdf.refresh_from_db()
    assert approved_without_pdf.pdf and len(pdf_files(media)) == 1
    assert recover_missing_pdfs(now=later) == 0
