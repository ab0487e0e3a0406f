"""The per-process reference snapshot (issue 9): labels, code pickers and division pickers
without queries once loaded; the shared version read at most once per request or job;
a reload by any process (load_reference → bump_version) or a lost cache key seen on the
next request, with the right labels."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django_tasks import task

from apps.reference import selectors
from apps.reference.models import CodeEntry, Division
from apps.reference.selectors import VERSION_KEY, reference_scope

DB_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "platform_cache"}}
LABELS = [("gender", "1"), ("ethnicity", "01"), ("political_status", "01"), ("destination", "76"),
          ("education_level", "11", "employment-xldm"), ("unit_nature", "39"), ("industry", "34")]


@pytest.fixture
def db_cache(settings, reference):
    settings.CACHES = DB_CACHE
    call_command("createcachetable", verbosity=0)


def _labels() -> list[str]:
    return [selectors.code_label(*args) for args in LABELS]


def _version_reads(queries) -> int:
    return sum("reference:version" in q["sql"] for q in queries)


def _rename_entry(table: str, code: str, name: str) -> None:
    CodeEntry.objects.filter(table__slug=table, code=code).update(name=name)


def _picker(code: str) -> str:
    return Template('{% load reference_tags %}{% division_picker "origin_division" value=code %}').render(
        Context({"code": code}))


def test_labels_come_from_the_snapshot_with_one_version_read_per_scope(db_cache):
    with reference_scope():
        labels = _labels()  # loads the snapshot
    assert labels[0] == "男" and labels[3] == "自由职业"
    with CaptureQueriesContext(connection) as ctx, reference_scope():
        assert _labels() == labels
        assert selectors.code_labels("ethnicity")["01"] == "汉族"
    assert _version_reads(ctx.captured_queries) == 1
    assert len(ctx.captured_queries) == 1  # nothing but the version: no code table queries


def test_outside_a_request_or_job_every_call_reads_the_version(db_cache):
    _labels()
    with CaptureQueriesContext(connection) as ctx:
        _labels()
    assert _version_reads(ctx.captured_queries) == len(LABELS)


def test_a_reload_by_another_process_is_seen_on_the_next_request(reference, world, api_client):
    world.graduate.gender_code = "1"
    world.graduate.save()
    api_client.login_as(world.graduate_user)
    assert api_client.get("/graduates/me").json()["gender"] == "男"
    # another process reloads the table: its database change and its bump of the shared key;
    # this process's snapshot is untouched until it notices the new version
    _rename_entry("gender", "1", "男性")
    cache.incr(VERSION_KEY)
    assert api_client.get("/graduates/me").json()["gender"] == "男性"


def test_the_version_is_read_once_per_request_so_a_bump_mid_request_waits_for_the_next(reference):
    with reference_scope():
        assert selectors.code_label("gender", "2") == "女"
        _rename_entry("gender", "2", "女性")
        cache.incr(VERSION_KEY)
        assert selectors.code_label("gender", "2") == "女"  # the same request: one version
    with reference_scope():
        assert selectors.code_label("gender", "2") == "女性"


def test_load_all_invalidates_labels_and_divisions(reference):
    with reference_scope():
        assert "合肥市" in _picker("340104") and selectors.code_label("destination", "76") == "自由职业"
    _rename_entry("destination", "76", "自由职业（测试改名）")
    Division.objects.filter(code="340100").update(name="合肥测试市", full_name="安徽省合肥测试市")
    Division.objects.filter(code="340104").update(full_name="安徽省合肥测试市蜀山区")
    selectors.bump_version()  # what load_all does after loading
    with reference_scope():
        html = _picker("340104")
        assert '<option value="340100" selected>合肥测试市</option>' in html
        assert "安徽省合肥测试市蜀山区" in html
        assert selectors.code_label("destination", "76") == "自由职业（测试改名）"


def test_a_lost_version_key_never_brings_back_an_old_snapshot(reference):
    with reference_scope():
        assert selectors.code_label("gender", "1") == "男"
    _rename_entry("gender", "1", "男性")
    cache.clear()  # cache flushed or the key evicted: the next version must differ from the held one
    with reference_scope():
        assert selectors.code_label("gender", "1") == "男性"


def test_the_division_picker_renders_from_the_snapshot_without_queries(reference):
    with reference_scope():
        _picker("340104")
    with CaptureQueriesContext(connection) as ctx, reference_scope():
        html = _picker("653229")
    assert [q["sql"] for q in ctx.captured_queries] == []
    assert '<option value="650000" selected>新疆维吾尔自治区</option>' in html
    assert '<option value="653229" selected>' in html
    # only the path's columns: the chosen province's cities and the chosen city's counties
    assert html.count("<option") < 34 + 20 + 20
    assert '<option value="340100">' not in html


def test_the_code_picker_renders_from_the_snapshot_without_queries(reference):
    template = Template('{% load reference_tags %}{% code_picker "ethnicity_code" table="ethnicity" value="01" %}')
    with reference_scope():
        template.render(Context())
    with CaptureQueriesContext(connection) as ctx, reference_scope():
        html = template.render(Context())
    assert ctx.captured_queries == []
    assert "汉族" in html and '"01"' in html


@task()
def label_job() -> int:
    _labels()
    _labels()
    return 0


def test_a_background_job_reads_the_version_once(db_cache, django_capture_on_commit_callbacks):
    _labels()
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        label_job.enqueue()  # the immediate backend in tests: task_started → job → task_finished
    assert _version_reads(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        _labels()
    assert _version_reads(ctx.captured_queries) == len(LABELS)  # the job's scope ended with it
