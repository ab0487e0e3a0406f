"""The OpenAPI document describes what the API really answers: every schema component name
belongs to one class, and real responses validate against the schema the document gives for
their operation."""

from __future__ import annotations

import inspect
import typing
from collections import defaultdict

import jsonschema
import pytest
from pydantic import BaseModel

from apps.core.api import api
from tests.signing.helpers import accept, invite, make_ready

pytestmark = pytest.mark.django_db


def _models_in(annotation) -> typing.Iterator[type[BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def schema_classes_by_name() -> dict[str, set[str]]:
    """Component name → the classes behind it, over every operation's request and response
    models (and the models nested in their fields)."""
    names: dict[str, set[str]] = defaultdict(set)
    seen: set[type] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        names[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
        for field in model.model_fields.values():
            for nested in _models_in(field.annotation):
                walk(nested)

    operations = [op for _, router in api._routers for view in router.path_operations.values()
                  for op in view.operations]
    assert len(operations) > 50  # the walk really sees the API
    for op in operations:
        for model in list((op.response_models or {}).values()) + list(op.models):
            for found in _models_in(model):
                walk(found)
    return names


def test_no_two_schema_classes_share_a_component_name():
    names = schema_classes_by_name()
    shared = {name: sorted(classes) for name, classes in names.items() if len(classes) > 1}
    assert shared == {}, "give these schemas unique names: the OpenAPI document keeps only one of each"
    assert {"GraduateSummaryOut", "CorrectionPage", "QueuePage"} <= set(names)  # nested and paged ones too


# --- real responses against the document ------------------------------------------------------------

@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def assert_matches_document(document, path: str, method: str, response, status: int = 200):
    assert response.status_code == status, response.content[:300]
    operation = document["paths"][f"/api/v1{path}"][method]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), {**schema, "components": document["components"]},
                        cls=jsonschema.Draft202012Validator)


@pytest.fixture
def signed(world):
    """world.graduate with an accepted invitation: an agreement exists."""
    graduate = make_ready(world.graduate)
    invitation, _ = invite(graduate, world.graduate_user)
    accept(world.graduate_user, invitation)
    return invitation


def test_graduate_responses_validate_against_the_document(world, api_client, document, signed):
    api_client.login_as(world.graduate_user)
    assert_matches_document(document, "/graduates/me", "get", api_client.get("/graduates/me"))
    assert_matches_document(document, "/destinations/mine", "get", api_client.get("/destinations/mine"))
    assert_matches_document(document, "/signing/invitations", "get", api_client.get("/signing/invitations"))
    assert_matches_document(document, "/signing/agreement", "get", api_client.get("/signing/agreement"))
    assert_matches_document(document, "/agreements/terminations/mine", "get",
                            api_client.get("/agreements/terminations/mine"))


def test_staff_responses_validate_against_the_document(world, api_client, document, signed):
    api_client.login_as(world.school_admin)
    listing = api_client.get("/agreements/")
    assert_matches_document(document, "/agreements/", "get", listing)
    assert listing.json()["count"] == 1
    agreement_id = listing.json()["items"][0]["id"]
    assert_matches_document(document, "/agreements/{agreement_id}", "get",
                            api_client.get(f"/agreements/{agreement_id}"))


def test_the_destination_schema_is_the_destinations_own(document):
    """The symptom of the clash: /destinations/mine was documented with the termination
    overview's schema."""
    schema = document["paths"]["/api/v1/destinations/mine"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    assert "online_signed" not in document["components"]["schemas"][name]["properties"]
