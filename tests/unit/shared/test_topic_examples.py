"""Every topic's schema has an example message, and every example validates (the bus contract)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.events import Envelope
from shared.topics import all_topics

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "shared" / "examples"
SCHEMAS = {spec.schema for spec in all_topics() if spec.schema is not None}


@pytest.mark.parametrize(
    "schema", sorted(SCHEMAS, key=lambda s: s.EVENT_TYPE), ids=lambda s: s.EVENT_TYPE
)
def test_every_schema_has_a_valid_example(schema: type[Envelope]) -> None:
    example = json.loads((EXAMPLES / f"{schema.EVENT_TYPE}.json").read_text(encoding="utf-8"))
    event = schema.model_validate(example)
    assert event.event_type == schema.EVENT_TYPE
    assert event.schema_version == schema.SCHEMA_VERSION
    # The example survives a round trip through the bus's JSON unchanged.
    assert schema.model_validate_json(event.model_dump_json()) == event


def test_every_topic_is_documented() -> None:
    document = (REPO / "docs" / "topics.md").read_text(encoding="utf-8")
    missing = [spec.name for spec in all_topics() if f"`{spec.name}`" not in document]
    assert not missing
