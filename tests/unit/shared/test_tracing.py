"""An event's headers continue the trace of its inquiry's record, start one when the inquiry has
none, and carry nothing when tracing is off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import tracing
from shared.events import InquiryTriaged
from shared.settings import ServiceSettings
from tests.factories import consumed, example

EXAMPLE = example(InquiryTriaged)
UPSTREAM_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
UPSTREAM_SPAN = "00f067aa0ba902b7"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    tracing.extra_processors.append(SimpleSpanProcessor(spans))
    yield spans
    tracing.extra_processors.clear()


def traced_broker() -> KafkaBroker:
    broker = KafkaBroker()
    tracing.instrument(broker, ServiceSettings(service_name="reply"))
    return broker


def test_an_event_continues_its_inquirys_trace(exporter: InMemorySpanExporter) -> None:
    broker = traced_broker()
    upstream = {
        "traceparent": f"00-{UPSTREAM_TRACE}-{UPSTREAM_SPAN}-01",
        "correlation_id": str(EXAMPLE.correlation_id),
    }
    with tracing.inquiries_of([consumed(b"{}", topic="inquiries.received", headers=upstream)]):
        headers = tracing.event_headers(broker, "replies.planned", EXAMPLE, {"a": "b"})
    assert headers["a"] == "b"
    assert headers["traceparent"].split("-")[1] == UPSTREAM_TRACE
    [span] = exporter.get_finished_spans()
    assert span.name == "send replies.planned"
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == UPSTREAM_SPAN
    assert span.resource.attributes["service.name"] == "reply"
    assert span.attributes is not None
    assert span.attributes["inquiry.id"] == str(EXAMPLE.inquiry_id)


def test_an_inquiry_without_a_trace_starts_one(exporter: InMemorySpanExporter) -> None:
    broker = traced_broker()
    other = {"traceparent": f"00-{UPSTREAM_TRACE}-{UPSTREAM_SPAN}-01", "correlation_id": "x"}
    with tracing.inquiries_of([consumed(b"{}", topic="inquiries.received", headers=other)]):
        headers = tracing.event_headers(broker, "replies.planned", EXAMPLE, {})
    assert headers["traceparent"].split("-")[1] != UPSTREAM_TRACE
    [span] = exporter.get_finished_spans()
    assert span.parent is None


def test_without_tracing_the_headers_are_untouched() -> None:
    broker = KafkaBroker()
    tracing.instrument(broker, ServiceSettings(service_name="reply"))
    assert tracing.event_headers(broker, "replies.planned", EXAMPLE, {"a": "b"}) == {"a": "b"}
