"""One trace per inquiry across intake, triage and reply: the services run as real processes on
the real broker and export their spans by OTLP/HTTP to a collector this test runs; their log
lines are JSON."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from benchmarks.pipeline import Pipeline
from shared.events import InquiryReceived, ReplyPlanned
from shared.topics import INQUIRIES_RECEIVED, REPLIES_PLANNED, raw_topic
from shared.vocabulary import Channel

pytestmark = pytest.mark.kafka

SERVICES = ("intake", "triage", "reply")


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, str]


class Collector(ThreadingHTTPServer):
    """An OTLP/HTTP trace receiver: what the services' exporters send, decoded."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receive)
        self.spans: list[Span] = []
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def about(self, inquiry_id: str) -> list[Span]:
        with self.lock:
            return [s for s in self.spans if s.attributes.get("inquiry.id") == inquiry_id]


class _Receive(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
        spans = []
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                spans += [
                    Span(
                        service=resource["service.name"],
                        name=span.name,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex(),
                        attributes={a.key: a.value.string_value for a in span.attributes},
                    )
                    for span in scope_spans.spans
                ]
        with self.server.lock:
            self.server.spans += spans
        body = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def traced_pipeline(
    kafka_bootstrap: str, collector: Collector, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    running = Pipeline(
        kafka_bootstrap,
        prefix=f"tr{uuid.uuid4().hex[:8]}.",
        state_dir=tmp_path_factory.mktemp("traced"),
        settings={
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        },
    )
    running.start(*SERVICES)
    try:
        yield running
    finally:
        running.stop()


async def test_one_inquiry_is_one_trace_across_three_services(
    traced_pipeline: Pipeline, collector: Collector
) -> None:
    tag = uuid.uuid4().hex
    form = {
        "submission_id": f"trace-{tag}",
        "subject": "Parking permit",
        "text": "How do I apply for a resident parking permit for my new car?",
        "citizen": {"name": "John Smith", "email": "john@example.com"},
    }
    await traced_pipeline.publish(raw_topic(Channel.SELF_SERVICE), json.dumps(form).encode())
    received = await traced_pipeline.collect(
        [INQUIRIES_RECEIVED], until=lambda rs: any(tag.encode() in v for _, v in rs)
    )
    [inquiry] = [InquiryReceived.model_validate_json(v) for _, v in received if tag.encode() in v]
    inquiry_id = str(inquiry.inquiry_id)
    await traced_pipeline.collect(
        [REPLIES_PLANNED],
        until=lambda rs: any(
            ReplyPlanned.model_validate_json(v).inquiry_id == inquiry.inquiry_id for _, v in rs
        ),
    )

    deadline = time.monotonic() + 20
    while {s.service for s in collector.about(inquiry_id)} < set(SERVICES):
        assert time.monotonic() < deadline, f"spans seen: {collector.about(inquiry_id)}"
        await asyncio.sleep(0.2)
    spans = collector.about(inquiry_id)
    assert len({s.trace_id for s in spans}) == 1, spans
    by_name = {(s.service, s.name): s for s in spans}
    sent_by_intake = by_name["intake", f"send {traced_pipeline.topic(INQUIRIES_RECEIVED)}"]
    triage = [s for s in spans if s.service == "triage"]
    reply = [s for s in spans if s.service == "reply"]
    # Each hop is a child of the span that sent the record it came from.
    assert all(s.parent_id == sent_by_intake.span_id for s in triage)
    triage_ids = {s.span_id for s in triage}
    assert all(s.parent_id in triage_ids for s in reply)
    assert sent_by_intake.parent_id == ""  # the inquiry's trace starts in intake


def test_the_services_log_json_lines(traced_pipeline: Pipeline) -> None:
    for service in SERVICES:
        lines = Path(traced_pipeline.state_dir / f"{service}.log").read_text().splitlines()
        assert lines, service
        for line in lines:
            entry = json.loads(line)
            assert entry["service"] == service
            assert {"timestamp", "level", "event"} <= entry.keys()
