"""The committed AsyncAPI and OpenAPI documents are what the code generates, say what each
service reads and writes with real schemas, and the gateway answers as its document says."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest
from prometheus_client import CollectorRegistry

from services import documents
from services.intake.gateway import Gateway
from services.intake.settings import IntakeSettings
from shared.topics import all_topics
from shared.vocabulary import Channel

GENERATED = documents.documents()


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: p.name)
def test_committed_document_is_the_generated_one(path: Any) -> None:
    assert path.exists(), f"{path} is missing: run python -m services.documents"
    assert path.read_text() == documents.render(GENERATED[path]), (
        f"{path.name} is stale: run .venv/bin/python -m services.documents and review the diff"
    )


def addresses(document: dict[str, Any], action: str) -> set[str]:
    channels = document["channels"]
    return {
        channels[op["channel"]["$ref"].rsplit("/", 1)[-1]]["address"]
        for op in document["operations"].values()
        if op["action"] == action
    }


@pytest.mark.parametrize("service", ["intake", "triage", "reply", "metrics"])
def test_asyncapi_lists_what_a_service_reads_and_writes(service: str) -> None:
    document = GENERATED[documents.DOCS / "asyncapi" / f"{service}.json"]
    reads = {t.name for t in all_topics() if service in t.consumers}
    writes = {t.name for t in all_topics() if service in t.producers}
    assert addresses(document, "receive") == reads
    if service == "metrics":
        # deadletter.metrics is reserved for it, but metrics counts an unreadable event
        # instead of dead-lettering it (services/metrics/tally.py): it publishes nothing.
        assert addresses(document, "send") == set()
    else:
        assert addresses(document, "send") == writes


@pytest.mark.parametrize("service", ["intake", "triage", "reply", "metrics"])
def test_every_message_has_a_real_payload_schema(service: str) -> None:
    document = GENERATED[documents.DOCS / "asyncapi" / f"{service}.json"]
    schemas = document["components"]["schemas"]
    for name, message in document["components"]["messages"].items():
        payload = schemas[message["payload"]["$ref"].rsplit("/", 1)[-1]]
        # an event or a JSON note has fields; raw e-mail is binary (RFC 5322 bytes)
        described = payload.get("properties") or payload.get("anyOf")
        assert described or payload.get("format") == "binary", name
        assert "EmptyPayload" not in json.dumps(payload), name


def test_the_triaged_event_is_documented_with_its_fields() -> None:
    document = GENERATED[documents.DOCS / "asyncapi" / "reply.json"]
    message = document["components"]["messages"][
        "inquiries.triaged:OnInquiriesTriaged:SubscribeMessage"
    ]
    triaged = document["components"]["schemas"][message["payload"]["$ref"].rsplit("/", 1)[-1]]
    assert {"event_id", "inquiry_id", "correlation_id", "inquiry", "decision"} <= set(
        triaged["properties"]
    )


OPENAPI = GENERATED[documents.DOCS / "openapi" / "intake-gateway.json"]
KEY = "a-test-key-of-32-characters-or-more-000"


def response_schema(path: str, status: int) -> dict[str, Any]:
    ref = OPENAPI["paths"][path]["post"]["responses"][str(status)]["content"]["application/json"]
    name = ref["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = dict(OPENAPI["components"]["schemas"][name])
    schema["components"] = OPENAPI["components"]
    return schema


async def published(*_: Any) -> None:
    return None


@pytest.fixture
def gateway_client() -> httpx.AsyncClient:
    settings = IntakeSettings(
        gateway_adapters={"desk": {"key": KEY, "channels": ["phone"]}},  # type: ignore[dict-item]
    )
    gateway = Gateway(settings, published, CollectorRegistry())
    routes = dict(gateway.routes())

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await routes[scope["path"]](scope, receive, send)

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


def test_openapi_has_a_path_for_every_channel() -> None:
    assert set(OPENAPI["paths"]) == {f"/v1/intake/{c.value}" for c in Channel}


@pytest.mark.parametrize(
    ("path", "body", "headers", "status"),
    [
        ("/v1/intake/phone", "Borger ringer om affald.", {"X-API-Key": KEY}, 202),
        ("/v1/intake/phone", "Borger ringer om affald.", {}, 401),
        ("/v1/intake/email", "Subject: x\n\nhej", {"X-API-Key": KEY}, 403),
        ("/v1/intake/phone", "  ", {"X-API-Key": KEY}, 400),
    ],
)
async def test_gateway_answers_as_its_document_says(
    gateway_client: httpx.AsyncClient, path: str, body: str, headers: dict[str, str], status: int
) -> None:
    async with gateway_client as client:
        response = await client.post(path, content=body.encode(), headers=headers)
    assert response.status_code == status, response.text
    jsonschema.validate(response.json(), response_schema(path, status))
