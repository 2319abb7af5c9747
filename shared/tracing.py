"""Tracing: one trace per inquiry across intake, triage and reply, its context carried in the
Kafka headers of every event (W3C `traceparent`), exported by OTLP.

FastStream's KafkaTelemetryMiddleware traces what passes through FastStream: each batch a service
consumes, and the raw messages intake's gateway and SMTP receiver publish. The events a service
derives go out beneath those middlewares (`publish_confirmed` in shared/bus.py), and one batch
holds many inquiries, so each event gets the context of its own inquiry here: `event_headers`
opens a span for the event as a child of the span that sent the record it came from (found by the
inquiry's correlation id), and injects that span's context into the event's headers. An event
whose inquiry has no trace yet (intake's, a deadline watch's) starts one, linked to the batch.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT names a collector (OTEL_* variables configure the
exporter): then nothing is added to a message and no span is made.
"""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from aiokafka import ConsumerRecord
from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.message import StreamMessage
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from shared.events import Envelope
from shared.settings import ServiceSettings

# What a test adds to every service's provider beside (or instead of) the OTLP exporter.
extra_processors: list[SpanProcessor] = []

_tracers: weakref.WeakKeyDictionary[KafkaBroker, trace.Tracer] = weakref.WeakKeyDictionary()
# The trace context of each inquiry in the batch being handled, by correlation id.
_parents: ContextVar[dict[str, Context] | None] = ContextVar("inquiry_trace_parents", default=None)


def tracer_provider(settings: ServiceSettings) -> TracerProvider | None:
    """The service's provider, exporting by OTLP when a collector is configured."""
    if not settings.otel_exporter_otlp_endpoint and not extra_processors:
        return None
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": settings.service_name, "service.instance.id": settings.instance_id}
        )
    )
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    for processor in extra_processors:
        provider.add_span_processor(processor)
    # Spans still waiting in the batch processor are sent when the process stops.
    atexit.register(provider.shutdown)
    return provider


def instrument(broker: KafkaBroker, settings: ServiceSettings) -> None:
    """Trace the broker's batches and give its events their inquiries' context."""
    provider = tracer_provider(settings)
    if provider is None:
        return
    broker.add_middleware(KafkaTelemetryMiddleware(tracer_provider=provider))
    broker.add_middleware(InquiryTraces)
    _tracers[broker] = provider.get_tracer("inquiry-triage")


@contextmanager
def inquiries_of(records: Sequence[ConsumerRecord[Any, Any]]) -> Iterator[None]:
    """Inside, an event published for an inquiry of `records` continues that inquiry's trace:
    the context each record carries, by the correlation id in its headers."""
    parents: dict[str, Context] = {}
    for record in records:
        headers = {k: v.decode("latin-1") for k, v in record.headers or ()}
        if "traceparent" in headers and (correlation := headers.get("correlation_id")):
            parents[correlation] = propagate.extract(headers)
    token = _parents.set(parents)
    try:
        yield
    finally:
        _parents.reset(token)


class InquiryTraces(BaseMiddleware):
    """Every batch a subscriber handles, inside `inquiries_of` its records."""

    async def consume_scope(
        self, call_next: Callable[[StreamMessage[Any]], Awaitable[Any]], msg: StreamMessage[Any]
    ) -> Any:
        raw = msg.raw_message
        with inquiries_of(raw if isinstance(raw, (list, tuple)) else [raw]):
            return await call_next(msg)


def event_headers(
    broker: KafkaBroker, topic: str, event: Envelope, headers: dict[str, str]
) -> dict[str, str]:
    """`headers` with the trace context of the event's inquiry, when tracing is on."""
    tracer = _tracers.get(broker)
    if tracer is None:
        return headers
    parent = (_parents.get() or {}).get(str(event.correlation_id))
    batch = trace.get_current_span().get_span_context()
    links = [trace.Link(batch)] if parent is None and batch.is_valid else []
    with tracer.start_as_current_span(
        f"send {topic}",
        context=parent or Context(),
        kind=trace.SpanKind.PRODUCER,
        links=links,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.message.conversation_id": str(event.correlation_id),
            "inquiry.id": str(event.inquiry_id or ""),
            "event.type": event.event_type,
        },
    ):
        propagate.inject(headers)
    return headers
