"""Every service's log lines: JSON objects for a log collector (LOG_FORMAT=json) or plain text,
with the inquiry's correlation id on each line logged about an inquiry, and the trace it is in.

The services log through the standard library's `logging`; structlog formats every line, theirs
and their libraries' (FastStream, uvicorn, aiokafka). A handler names the inquiry a line is about
with `about_inquiry(event)`: every line inside carries its correlation and inquiry ids.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from opentelemetry import trace

from shared.settings import ServiceSettings


def _trace_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The current span's trace and span ids, to find a line's trace in the tracing backend."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event


def _without_colour(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """uvicorn adds a copy of its message with terminal colours."""
    event.pop("color_message", None)
    return event


def configure_logging(settings: ServiceSettings, stream: TextIO | None = None) -> None:
    """Every line of the process through one formatter, to standard error or `stream`."""
    service = settings.service_name

    def add_service(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event["service"] = service
        return event

    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),  # FastStream's topic, group and message id
            _without_colour,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            add_service,
            _trace_ids,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())


@contextmanager
def about_inquiry(event: Any) -> Iterator[None]:
    """Lines logged inside carry the correlation and inquiry ids of `event` (an event, a plan
    or anything with `correlation_id` and/or `inquiry_id`)."""
    ids = {
        name: str(value)
        for name in ("correlation_id", "inquiry_id")
        if (value := getattr(event, name, None)) is not None
    }
    ids.setdefault("correlation_id", ids.get("inquiry_id", ""))
    with structlog.contextvars.bound_contextvars(**ids):
        yield
