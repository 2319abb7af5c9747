"""Events and records as the bus carries them, built in one place for every tier's tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from aiokafka import ConsumerRecord

from shared.events import Envelope
from shared.settings import REPO_ROOT

EXAMPLES = REPO_ROOT / "shared" / "examples"

E = TypeVar("E", bound=Envelope)


def example(schema: type[E]) -> E:
    """The schema's example message (shared/examples/<event type>.json), read as the bus's JSON."""
    return schema.model_validate_json((EXAMPLES / f"{schema.EVENT_TYPE}.json").read_bytes())


def consumed(
    value: bytes | Envelope = b"",
    *,
    topic: str = "in",
    partition: int = 0,
    offset: int = 0,
    headers: Mapping[str, str] | None = None,
) -> ConsumerRecord[Any, Any]:
    """The record a consumer is handed for `value` (an event as its JSON)."""
    body = value.model_dump_json().encode() if isinstance(value, Envelope) else value
    return ConsumerRecord(
        topic,
        partition,
        offset,
        0,
        0,
        None,
        body,
        None,
        0,
        len(body),
        [(k, v.encode()) for k, v in (headers or {}).items()],
    )
