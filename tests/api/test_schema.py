"""The OpenAPI schema: valid, without warnings, every reference resolved, every error listed."""

import json

import jsonschema
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from cases.permissions import grant_case_access
from tests.factories import make_case

pytestmark = pytest.mark.django_db

ERROR_CODES = {"401", "403", "429", "503"}


@pytest.fixture
def schema(investigator):
    client = Client()
    client.force_login(investigator)
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def refs_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs_in(item)


def test_the_schema_validates_with_no_warning(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn turns any warning (an unresolved field, authenticator, ...) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.read_text().startswith("openapi: 3")


def test_every_reference_in_the_schema_names_a_component(schema):
    components = set(schema["components"]["schemas"])
    refs = set(refs_in(schema))
    assert refs, "the schema should use components"
    dangling = {ref for ref in refs if ref.removeprefix("#/components/schemas/") not in components}
    assert dangling == set()


def test_the_case_detail_documents_each_criterion(schema):
    detail = schema["components"]["schemas"]["CaseDetail"]["properties"]["criteria"]
    criteria = schema["components"]["schemas"]["Criteria"]
    assert "Criteria" in json.dumps(detail)
    assert len(criteria["properties"]) == 7
    assert set(criteria["required"]) == set(criteria["properties"])
    assert set(schema["components"]["schemas"]["Criterion"]["required"]) == {"result", "reason"}


def test_every_operation_documents_refusal_throttling_and_what_it_can_miss(schema):
    for label, operation in operations(schema):
        codes = set(operation["responses"])
        assert codes >= ERROR_CODES, label
        # A route that names a record or pages a list can answer 404, and says so; one that
        # only adds to a collection (POST /referral-batches/) names nothing it could miss.
        parameters = operation.get("parameters", [])
        may_miss = any(p["in"] == "path" or p["name"] in ("page", "cursor") for p in parameters)
        assert ("404" in codes) == may_miss, label
        # A route that takes a filter, a query parameter or a body can answer 400; one that
        # takes only a record's id in its path (a linkage cluster) cannot, and says none.
        takes_input = "requestBody" in operation or any(
            p["in"] == "query" and p["name"] not in ("page", "cursor")
            for p in operation.get("parameters", [])
        )
        assert ("400" in codes) == takes_input, label
        # A body in a media type DRF has no parser for answers 415, before anything else.
        assert ("415" in codes) == ("requestBody" in operation), label
        for code in codes - {"200", "201", "202"}:
            content = operation["responses"][code]["content"]["application/json"]
            assert content["schema"]["$ref"] in {
                "#/components/schemas/ErrorDetail",
                "#/components/schemas/FieldErrors",
            }, (label, code)


def body_matches(schema, operation_path, method, response):
    """Validate a real response body against what the schema documents for its status."""
    documented = schema["paths"][operation_path][method]["responses"][str(response.status_code)]
    body_schema = documented["content"]["application/json"]["schema"]
    resolver = {"components": schema["components"], **body_schema}
    jsonschema.validate(response.json(), resolver)
    return response.json()


def test_real_refusals_have_the_documented_shape(schema, investigator, settings):
    case = make_case()
    grant_case_access(investigator, case)
    client = APIClient()
    detail = "/api/v1/cases/{reference}/"

    anonymous = client.get("/api/v1/cases/")
    assert set(body_matches(schema, "/api/v1/cases/", "get", anonymous)) == {"detail"}

    client.force_login(investigator)
    bad_filter = client.get("/api/v1/cases/", {"status": "nonsense"})
    assert bad_filter.status_code == 400
    assert list(body_matches(schema, "/api/v1/cases/", "get", bad_filter)) == ["status"]

    short_reason = client.get(f"/api/v1/cases/{case.reference}/", {"justification": "why"})
    assert short_reason.status_code == 400
    assert list(body_matches(schema, detail, "get", short_reason)) == ["justification"]

    bad_event = client.post(f"/api/v1/cases/{case.reference}/events/", {}, format="json")
    assert bad_event.status_code == 400
    errors = body_matches(schema, f"{detail}events/", "post", bad_event)
    assert {"type", "occurred_on"} <= set(errors)

    unreadable = client.post(
        f"/api/v1/cases/{case.reference}/events/", "{", content_type="application/json"
    )
    assert unreadable.status_code == 400
    assert "detail" in body_matches(schema, f"{detail}events/", "post", unreadable)

    not_json = client.post(
        f"/api/v1/cases/{case.reference}/events/", "arrest", content_type="text/plain"
    )
    assert not_json.status_code == 415
    body_matches(schema, f"{detail}events/", "post", not_json)

    missing = client.get("/api/v1/cases/BP-999999/")
    assert missing.status_code == 404
    body_matches(schema, detail, "get", missing)

    past_the_end = client.get("/api/v1/cases/", {"cursor": "not-a-cursor"})
    assert past_the_end.status_code == 404
    body_matches(schema, "/api/v1/cases/", "get", past_the_end)

    not_liaison = client.get("/api/v1/liaison/records/")
    assert not_liaison.status_code == 403
    body_matches(schema, "/api/v1/liaison/records/", "get", not_liaison)

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}),
            "user": "1/day",
        },
    }
    cache.delete(f"throttle_user_{investigator.pk}")
    try:
        client.get("/api/v1/cases/")
        throttled = client.get("/api/v1/cases/")
    finally:
        cache.delete(f"throttle_user_{investigator.pk}")
    assert throttled.status_code == 429
    body_matches(schema, "/api/v1/cases/", "get", throttled)


def test_the_503_of_an_unreachable_throttle_cache_has_the_documented_shape(
    schema, investigator, settings
):
    client = APIClient()
    client.force_login(investigator)
    settings.CACHES = {  # nothing listens on port 1; the suite's Redis stays up for others
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    unavailable = client.get("/api/v1/cases/")
    assert unavailable.status_code == 503
    assert body_matches(schema, "/api/v1/cases/", "get", unavailable)["detail"]


def test_both_ways_of_signing_in_are_described(schema):
    schemes = schema["components"]["securitySchemes"]
    assert (schemes["tokenAuth"]["in"], schemes["tokenAuth"]["name"]) == ("header", "Authorization")
    assert '"Token"' in schemes["tokenAuth"]["description"]
    assert schemes["cookieAuth"]["in"] == "cookie"


def test_recording_an_event_documents_both_answers_and_the_idempotency_key(schema):
    operation = schema["paths"]["/api/v1/cases/{reference}/events/"]["post"]
    assert {"200", "201", "409"} <= set(operation["responses"])
    assert "Idempotency-Key" in {p["name"] for p in operation.get("parameters", [])}
