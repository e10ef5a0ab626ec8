"""/openapi.json describes every answer, errors included, with the shapes actually sent."""

from __future__ import annotations

from typing import Any

import httpx

ACTIONS = (
    "pledge",
    "unpledge",
    "claim",
    "refund",
    "cancel",
    "update",
    "release",
    "object",
    "withdraw-objection",
)


def schema_name(response: dict[str, Any]) -> str:
    ref: str = response["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]


def test_every_route_documents_its_answers_and_errors(api: httpx.Client) -> None:
    doc = api.get("/openapi.json").json()
    paths = doc["paths"]
    expected = {
        "/health",
        "/health/live",
        "/campaigns",
        "/campaigns/{campaign_id}",
        "/campaigns/{campaign_id}/pledges",
        "/campaigns/{campaign_id}/updates",
        "/campaigns/{campaign_id}/tiers",
        "/campaigns/{campaign_id}/backers/{address}",
        "/backers/{address}/pledges",
        "/events",
        "/campaigns/transactions/create",
        *(f"/campaigns/{{campaign_id}}/transactions/{a}" for a in ACTIONS),
        "/content",
        "/content/{cid}",
    }
    assert set(paths) == expected
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "200" in responses, (method, path)
            if path == "/health/live":
                continue
            # /health's 503 is a Problem with every part's state besides.
            problem = "HealthProblem" if path == "/health" else "Problem"
            assert schema_name(responses["503"]) == problem, (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert schema_name(responses["422"]) == "Problem", (method, path)
            if "{campaign_id}" in path and path != "/campaigns/{campaign_id}/backers/{address}":
                assert schema_name(responses["404"]) == "Problem", (method, path)
            if "/transactions/" in path:
                assert schema_name(responses["409"]) == "Rejection", (method, path)
                assert schema_name(responses["200"]) == "TransactionAnswer"
    assert "text/event-stream" in paths["/events"]["get"]["responses"]["200"]["content"]
    upload, stored = paths["/content"]["post"], {"201", "200"}
    types = {"application/json", "image/png", "image/jpeg", "image/webp"}
    assert set(upload["requestBody"]["content"]) == types
    assert {schema_name(upload["responses"][status]) for status in stored} == {"StoredContent"}
    assert {"403", "413", "415", "429"} <= set(upload["responses"])
    serve = paths["/content/{cid}"]["get"]["responses"]
    assert set(serve["200"]["content"]) == types
    assert {"404", "502", "504"} <= set(serve)
    schemas = doc["components"]["schemas"]
    assert schema_name(paths["/campaigns/{campaign_id}/tiers"]["get"]["responses"]["200"]) == "CampaignTiers"
    assert {"tier", "in_line"} <= set(schemas["BackerStanding"]["required"])
    assert {"holder_count", "places_left", "sold_out", "in_line_count", "holders"} <= set(
        schemas["TierHolders"]["required"]
    )
    assert set(schemas["Rejection"]["required"]) == {"detail", "rule", "values"}
    assert "from" in schemas["UnsignedTransaction"]["properties"]


def test_error_bodies_have_the_documented_shape(api: httpx.Client) -> None:
    for response in (api.get("/campaigns/999"), api.get("/campaigns", params={"limit": 0})):
        assert response.status_code in (404, 422)
        assert set(response.json()) == {"detail"} and isinstance(response.json()["detail"], str)
