"""The 档案转寄 pages: the graduate's form and the staff list and detail."""

from __future__ import annotations

import pytest

from apps.archives.models import ArchiveTransfer
from tests.archives.conftest import register, send, valid


@pytest.fixture
def graduate_client(world, client):
    client.force_login(world.graduate_user)
    return client


def test_register_tab_links_to_the_page(world, graduate_client):
    assert 'href="/register/archive/"' in graduate_client.get("/register/").content.decode()


def test_first_visit_shows_the_origin_defaults_and_the_rules(shushan, graduate_client):
    page = graduate_client.get("/register/archive/").content.decode()
    assert 'value="蜀山区人才服务中心"' in page
    assert 'id="address_division-value" value="340104"' in page
    assert 'id="archive-defaults"' in page and "生源所在地安徽省合肥市蜀山区" in page
    assert "民营企业一般不能保管档案" in page and "不得交由学生本人携带" in page
    assert "未登记" in page
    assert not ArchiveTransfer.objects.exists()


def test_without_origin_the_page_links_to_origin_information(world, graduate_client):
    page = graduate_client.get("/register/archive/").content.decode()
    assert 'id="origin-missing"' in page and 'href="/register/origin/"' in page
    assert 'id="address_division-value" value=""' in page


def _form(**overrides):
    data = valid(**overrides)
    for name in ("accepts_archive", "accepts_household"):
        data[name] = "1" if data[name] else "0"
    if data["deferred"]:
        data["deferred"] = "1"
    else:
        data.pop("deferred")
    return data


def test_save_from_the_page(world, graduate_client):
    r = graduate_client.post("/register/archive/", _form(accepts_household="1", household_address="合肥市蜀山区"))
    assert r.status_code == 302 and r["Location"] == "/register/archive/"
    t = ArchiveTransfer.objects.get()
    assert (t.receiving_unit_name, t.address_division_id, t.accepts_archive, t.accepts_household, t.deferred) == (
        "蜀山区人才服务中心", "340104", True, True, False)
    page = graduate_client.get("/register/archive/").content.decode()
    assert "档案转寄信息已保存" in page and "已登记" in page and 'value="0551-65123456"' in page


def test_a_refused_save_keeps_what_was_typed(world, graduate_client):
    r = graduate_client.post("/register/archive/", _form(address_division="340100", post_code="12345"))
    assert r.status_code == 400
    page = r.content.decode()
    assert "档案接收单位所在地须选择到具体的区县，不能只选省或市" in page
    assert "邮政编码应为6位数字" in page and 'value="12345"' in page
    assert not ArchiveTransfer.objects.exists()


def test_the_form_is_locked_once_sent(world, graduate_client):
    send(world, register(world.graduate))
    page = graduate_client.get("/register/archive/").content.decode()
    assert "disabled" in page and 'id="archive-save"' not in page
    assert "EA123456789CN" in page and "档案已寄出，如需修改请联系学校" in page
    history = graduate_client.get("/me/history/").content.decode()
    assert "登记档案寄出" in history and "快递单号" in history and "登记档案转寄信息" in history
    r = graduate_client.post("/register/archive/", _form(receiving_unit_name="别处"))
    assert r.status_code == 400 and "档案已寄出，如需修改请联系学校" in r.content.decode()


def test_staff_pages_are_not_for_graduates(world, graduate_client):
    assert graduate_client.get("/staff/archives/").status_code == 403


def test_school_staff_page_has_tracking_inputs_and_upload(world, client):
    t = register(world.graduate)
    register(world.stranger)
    client.force_login(world.school_admin)
    page = client.get("/staff/archives/").content.decode()
    assert "档案转寄</a>" in page  # sidebar
    assert f'name="tracking_{t.pk}"' in page and 'id="tracking-import-form"' in page
    assert "055******3456" in page and "0551-65123456" not in page  # masked in the list
    assert world.stranger.name not in page


def test_college_staff_page_is_read_only(world, client):
    t = register(world.graduate)
    register(world.classmate)
    client.force_login(world.college_admin)
    page = client.get("/staff/archives/").content.decode()
    assert world.graduate.name in page and world.classmate.name not in page
    assert f'name="tracking_{t.pk}"' not in page and 'id="tracking-import-form"' not in page
    assert 'id="export-button"' in page
    detail = client.get(f"/staff/archives/{t.pk}/").content.decode()
    assert 'id="archive-form"' not in detail and "055******3456" in detail
    assert client.post(f"/staff/archives/{t.pk}/", _form(post_code="230088")).status_code == 403


def test_school_staff_correct_a_record_on_the_detail_page(world, client):
    t = register(world.graduate)
    client.force_login(world.school_admin)
    r = client.post(f"/staff/archives/{t.pk}/", _form(post_code="230088"))
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.post_code == "230088"


def test_staff_of_another_school_get_404_on_the_detail(world, client):
    t = register(world.graduate)
    client.force_login(world.other_school_admin)
    assert client.get(f"/staff/archives/{t.pk}/").status_code == 404


def test_list_defaults_to_the_current_cohort(world, client):
    from tests import factories as f

    register(world.graduate)
    old = f.make_graduate(college=world.college, major=world.major, name="往届生",
                          cohort=world.school.current_cohort - 1)
    register(old)
    client.force_login(world.school_admin)
    assert "往届生" not in client.get("/staff/archives/").content.decode()
    assert "往届生" in client.get("/staff/archives/?cohort=").content.decode()
