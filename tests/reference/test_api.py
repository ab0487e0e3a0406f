"""GET /api/v1/reference/…: public, typed, 404 in the project's error shape."""

from __future__ import annotations

import pytest


def codes(items):
    return [item["code"] for item in items]


def test_tables_list_every_code_table_with_entry_counts(reference, api_client):
    response = api_client.get("/reference/tables")
    assert response.status_code == 200
    tables = {t["slug"]: t for t in response.json()}
    assert tables["destination"]["name"] == "毕业去向"
    assert tables["destination"]["entry_count"] == 32
    assert tables["ethnicity"]["entry_count"] == 58
    assert {"gender", "industry", "education_level", "unit_nature"} <= set(tables)


def test_table_entries_carry_group_parent_and_status(reference, api_client):
    response = api_client.get("/reference/tables/destination")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "毕业去向"
    entries = {e["code"]: e for e in body["entries"]}
    assert entries["271"] == {
        "code": "271", "name": "科研助理、管理助理", "scheme": "", "group": "就业", "parent_code": "27",
        "status": "national-observed", "extra": entries["271"]["extra"],
    }
    assert "note" in entries["271"]["extra"]
    assert entries["701"]["status"] == "local-unverified"


def test_table_entries_filter_by_keyword_group_and_scheme(reference, api_client):
    assert codes(api_client.get("/reference/tables/ethnicity", q="回").json()["entries"]) == ["03"]
    assert codes(api_client.get("/reference/tables/ethnicity", q="0").json()["entries"])[:3] == ["01", "02", "03"]
    upgrade = api_client.get("/reference/tables/destination", group="升学").json()["entries"]
    assert set(codes(upgrade)) == {"80", "85", "801", "802", "81", "82"}
    both = api_client.get("/reference/tables/education_level").json()["entries"]
    assert {e["scheme"] for e in both} == {"employment-xldm", "anhui"}
    xldm = api_client.get("/reference/tables/education_level", scheme="employment-xldm").json()["entries"]
    assert "31" in codes(xldm) and "231" not in codes(xldm)


def test_industry_is_keyed_by_the_anhui_code_and_keeps_the_gbt_section(reference, api_client):
    entries = {e["code"]: e for e in api_client.get("/reference/tables/industry").json()["entries"]}
    assert entries["34"]["name"] == "信息传输、软件和信息技术服务业"
    assert entries["34"]["extra"]["gbt4754_section"] == "I"


def test_unknown_table_is_404_in_the_error_shape(reference, api_client):
    response = api_client.get("/reference/tables/nope")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "代码表不存在", "fields": {}}}


def test_cascade_provinces_then_city_then_county(reference, api_client):
    provinces = api_client.get("/reference/divisions").json()
    assert "340000" in codes(provinces) and "500000" in codes(provinces)
    assert all(p["level"] == 1 and p["parent_code"] is None for p in provinces)
    anhui = next(p for p in provinces if p["code"] == "340000")
    assert anhui["has_children"] is True and anhui["is_county_level"] is False

    cities = api_client.get("/reference/divisions", parent="34").json()  # short form accepted
    assert cities == api_client.get("/reference/divisions", parent="340000").json()
    hefei = next(c for c in cities if c["code"] == "340100")
    assert (hefei["name"], hefei["level"], hefei["has_children"]) == ("合肥市", 2, True)

    counties = api_client.get("/reference/divisions", parent="3401").json()
    shushan = next(c for c in counties if c["code"] == "340104")
    assert shushan == {"code": "340104", "name": "蜀山区", "full_name": "安徽省合肥市蜀山区", "level": 3,
                       "kind": "市辖区", "parent_code": "340100", "is_county_level": True, "has_children": False}


def test_municipality_lists_districts_right_under_the_province(reference, api_client):
    districts = api_client.get("/reference/divisions", parent="500000").json()
    assert "500157" in codes(districts)
    assert {d["level"] for d in districts} == {3}


def test_city_without_counties_has_no_children(reference, api_client):
    guangdong = {d["code"]: d for d in api_client.get("/reference/divisions", parent="440000").json()}
    assert guangdong["441900"]["has_children"] is False and guangdong["441900"]["is_county_level"] is True
    assert api_client.get("/reference/divisions", parent="441900").json() == []


def test_unknown_parent_is_404(reference, api_client):
    response = api_client.get("/reference/divisions", parent="999999")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "行政区划代码不存在", "fields": {}}


@pytest.mark.parametrize(("q", "expected"), [("蜀山", "340104"), ("两江", "500157"), ("和安", "653229"),
                                             ("合肥 蜀山", "340104"), ("340104", "340104")])
def test_search_finds_known_counties(reference, api_client, q, expected):
    response = api_client.get("/reference/divisions/search", q=q)
    assert response.status_code == 200
    assert codes(response.json())[0] == expected


def test_search_by_code_prefix_respects_county_only(reference, api_client):
    county_only = codes(api_client.get("/reference/divisions/search", q="3401").json())
    assert "340104" in county_only and "340100" not in county_only
    everything = codes(api_client.get("/reference/divisions/search", q="3401", county_only="false").json())
    assert everything[0] == "340100" and "340104" in everything


def test_search_by_name_respects_county_only(reference, api_client):
    county_only = codes(api_client.get("/reference/divisions/search", q="合肥").json())
    assert "340100" not in county_only and "340104" in county_only
    everything = codes(api_client.get("/reference/divisions/search", q="合肥", county_only="false").json())
    assert everything[0] == "340100"  # the exact name first


def test_search_without_keyword_is_empty_and_limit_is_bounded(reference, api_client):
    assert api_client.get("/reference/divisions/search").json() == []
    assert len(api_client.get("/reference/divisions/search", q="区", limit=500).json()) == 100


def test_division_detail_has_ancestors_and_flags(reference, api_client):
    response = api_client.get("/reference/divisions/653229")
    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "新疆维吾尔自治区和田地区和安县"
    assert (body["level"], body["is_county_level"], body["is_current"]) == (3, True, True)
    assert body["dataset_version"]
    assert codes(body["ancestors"]) == ["650000", "653200"]

    chongqing = api_client.get("/reference/divisions/500157").json()
    assert codes(chongqing["ancestors"]) == ["500000"]
    hefei = api_client.get("/reference/divisions/340100").json()
    assert hefei["is_county_level"] is False and codes(hefei["ancestors"]) == ["340000"]


def test_unknown_division_is_404(reference, api_client):
    response = api_client.get("/reference/divisions/999999")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "行政区划代码不存在", "fields": {}}}


def test_reference_api_needs_no_login_and_is_typed_in_openapi(reference, client):
    assert client.get("/api/v1/reference/divisions/340104").status_code == 200
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/reference/tables", "/api/v1/reference/tables/{slug}", "/api/v1/reference/divisions",
                 "/api/v1/reference/divisions/search", "/api/v1/reference/divisions/{code}"):
        assert path in paths
        responses = paths[path]["get"]["responses"]
        assert "$ref" in str(responses["200"]["content"])
    assert "404" in paths["/api/v1/reference/divisions/{code}"]["get"]["responses"]
