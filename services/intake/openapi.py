"""The OpenAPI document of intake's HTTP gateway (services/intake/gateway.py): one path per
channel, the raw bodies each accepts (shared/raw.py), how an adapter authenticates, and the
answers it gets. Written to docs/openapi/intake-gateway.json by `python -m services.documents`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from services.intake.channels.draft import ID_HEADERS
from services.intake.gateway import PATH
from shared.raw import ChatTranscript, IntercomNotification, PhoneNote, VisitNote, WebForm
from shared.vocabulary import Channel


class Accepted(BaseModel):
    """The message was read and is on intake.raw.<channel>, confirmed by the broker."""

    tracking_id: UUID = Field(description="the inquiry id it has on every topic downstream")
    channel: Channel
    channel_message_id: str = Field(description="the channel's own id (Message-ID, call id, ...)")
    note: str | None = Field(None, description="set when the message is not an inquiry")


class Refused(BaseModel):
    """Why the message was not taken, in words a developer of the adapter understands."""

    error: str


_BINARY = {"type": "string", "format": "binary"}
_TEXT = {"type": "string"}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


# The bodies each channel's path accepts, by content type.
BODIES: dict[Channel, dict[str, dict[str, Any]]] = {
    Channel.PHONE: {"application/json": _ref(PhoneNote), "text/plain": _TEXT},
    Channel.EMAIL: {"message/rfc822": _BINARY},
    Channel.CHAT: {
        "application/json": {"oneOf": [_ref(ChatTranscript), _ref(IntercomNotification)]}
    },
    Channel.LETTER: {"text/plain": _TEXT, "application/pdf": _BINARY},
    Channel.IN_PERSON: {"application/json": _ref(VisitNote), "text/plain": _TEXT},
    Channel.SELF_SERVICE: {"application/json": _ref(WebForm)},
}

REFUSALS = {
    "400": "the body is empty",
    "401": "no valid API key (Authorization: Bearer KEY, X-API-Key) or webhook signature",
    "403": "the adapter may not post to this channel",
    "405": "only POST is served",
    "413": "the body is larger than INTAKE_GATEWAY_MAX_BYTES",
    "422": "the body cannot be read as this channel's message; the reason says why",
    "503": "the broker did not confirm the message: send it again",
}


def _operation(channel: Channel) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = []
    if header := ID_HEADERS.get(channel):
        parameters.append(
            {
                "name": f"X-{header.title()}",
                "in": "header",
                "required": False,
                "description": f"the channel's {header}; without it the body's hash is the id",
                "schema": {"type": "string"},
            }
        )
    if channel is Channel.CHAT:
        parameters.append(
            {
                "name": "X-Hub-Signature",
                "in": "header",
                "required": False,
                "description": "Intercom's webhook signature (sha1=HMAC of the body), in place "
                "of an API key",
                "schema": {"type": "string"},
            }
        )
    return {
        "operationId": f"post_{channel.value}",
        "summary": f"Hand in one raw {channel.value} message",
        "tags": ["intake"],
        "parameters": parameters,
        "requestBody": {
            "required": True,
            "content": {kind: {"schema": schema} for kind, schema in BODIES[channel].items()},
        },
        "responses": {
            "202": {
                "description": Accepted.__doc__,
                "content": {"application/json": {"schema": _ref(Accepted)}},
            },
            **{
                status: {
                    "description": why,
                    "content": {"application/json": {"schema": _ref(Refused)}},
                }
                for status, why in REFUSALS.items()
            },
        },
    }


def openapi() -> dict[str, Any]:
    models: list[type[BaseModel]] = [
        Accepted,
        Refused,
        PhoneNote,
        VisitNote,
        ChatTranscript,
        IntercomNotification,
        WebForm,
    ]
    _, definitions = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Inquiry triage: intake's HTTP gateway",
            "version": "1",
            "description": "For channel systems that do not speak Kafka. Each adapter has its own "
            "key and the channels it may post (INTAKE_GATEWAY_ADAPTERS). A body is read by "
            "intake's normalisation before it is accepted, so a sender hears at once what is "
            "wrong.",
        },
        "paths": {PATH.format(channel=c.value): {"post": _operation(c)} for c in Channel},
        "components": {
            "schemas": definitions["$defs"],
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
        "security": [{"bearer": []}, {"apiKey": []}],
    }
