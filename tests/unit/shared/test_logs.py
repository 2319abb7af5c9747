"""Log lines are JSON objects with the service's name, and the inquiry's ids inside
`about_inquiry`; the trace ids when a span is current."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from shared.logs import about_inquiry, configure_logging
from shared.settings import ServiceSettings


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out = io.StringIO()
    settings = ServiceSettings(service_name="reply", log_format="json", log_level="INFO")
    configure_logging(settings, out)
    yield out
    root.handlers[:], root.level = handlers, level


def read(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class Plan:
    inquiry_id = uuid.uuid4()


def test_a_line_about_an_inquiry_carries_its_ids(
    stream: io.StringIO,
) -> None:
    log = logging.getLogger("services.reply.watch")
    plan = Plan()
    with about_inquiry(plan):
        log.info("deadline passed for inquiry %s", plan.inquiry_id)
    log.warning("the deadline watch failed this round")
    about, other = read(stream)
    assert about["event"] == f"deadline passed for inquiry {plan.inquiry_id}"
    assert about["correlation_id"] == about["inquiry_id"] == str(plan.inquiry_id)
    assert about["service"] == "reply"
    assert about["level"] == "info"
    assert about["logger"] == "services.reply.watch"
    assert "correlation_id" not in other


def test_a_line_in_a_span_names_its_trace(
    stream: io.StringIO,
) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("send inquiries.triaged") as span:
        logging.getLogger("x").info("sent")
    [line] = read(stream)
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")


def test_an_exception_is_one_json_line(
    stream: io.StringIO,
) -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("x").exception("failed")
    [line] = read(stream)
    assert "ValueError: broken" in str(line["exception"])
