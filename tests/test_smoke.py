def test_openapi_document_lists_the_login_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/auth/graduate/login" in response.json()["paths"]


def test_world_fixture_builds(world):
    assert world.graduate.school == world.school
    assert world.graduate.masked_id_number.startswith("3401") and "*" in world.graduate.masked_id_number
