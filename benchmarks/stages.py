"""Per stage, in this process and without the bus: intake's normalisation, triage's inference
(one inquiry a call and a whole batch a call), reply's planning, and the envelope's own codec cost.

The services change under this code, so it reaches them by name and reports a stage whose
shape changed as unavailable instead of failing the run; what each service costs inside the
running pipeline is measured there (end_to_end.py: CPU and handler time per inquiry).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.inquiry_mix import InquiryMix, Outcome
from shared.events import InquiryReceived, InquiryTriaged

SALT = "benchmark-salt-not-a-secret"
BATCH = 500


def per_item_us(work: Callable[[], object], items: int, *, min_seconds: float = 0.3) -> float:
    """Microseconds per item of `work` over `items` items, repeated for at least min_seconds."""
    work()  # warm caches and lazy imports
    rounds, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < min_seconds or rounds < 2:
        work()
        rounds += 1
    return round(1e6 * elapsed / (rounds * items), 1)


def _service(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


def _intake(mix: InquiryMix, out: dict[str, Any]) -> list[Any]:
    normalise = _service("services.intake.normalise", "normalise")
    readable = [r for r, o in zip(mix.feed, mix.outcomes, strict=True) if o is Outcome.INQUIRY]

    def one(raw: Any) -> Any:
        scan = dict(raw.headers).get("scan-id")
        result = normalise(
            raw.channel, raw.body, salt=SALT, scan_id=scan.decode() if scan else None
        )
        return getattr(result, "inquiry", result)  # some versions wrap the inquiry

    try:
        # The service reads a batch of records in one call (its languages found at once).
        read_messages = _service("services.intake.normalise", "read_messages")
    except AttributeError:
        read_messages = None

    def over(raws: Sequence[Any]) -> Callable[[], object]:
        if read_messages is None:
            return lambda: [one(raw) for raw in raws]
        batch = [(r.channel, r.body, {k: v.decode() for k, v in r.headers}) for r in raws]
        return lambda: read_messages(batch, salt=SALT)

    out["intake_normalise_us"] = per_item_us(over(readable), len(readable))
    out["intake_normalise_us_by_channel"] = {
        c.value: per_item_us(over(subset), len(subset), min_seconds=0.1)
        for c in sorted({r.channel for r in readable})
        if (subset := [r for r in readable if r.channel is c])
    }
    return [one(raw) for raw in readable]


def _inference(inquiries: Sequence[Any], out: dict[str, Any]) -> None:
    batch = [inquiries[i % len(inquiries)] for i in range(BATCH)]
    try:
        # The triage engineers' own measurement (benchmarks/triage_inference.py).
        measure = _service("benchmarks.triage_inference", "measure")
    except (ImportError, AttributeError):
        settings = _service("services.triage.settings", "TriageSettings")()
        classifier = _service("services.triage.classifier", "load_classifier")(settings)
        out["triage_inference"] = {
            "model": getattr(classifier, "version", "?"),
            "single_us_per_inquiry": per_item_us(
                lambda: [classifier.classify([i]) for i in batch], len(batch)
            ),
            f"batch_of_{BATCH}_us_per_inquiry": per_item_us(
                lambda: classifier.classify(batch), len(batch)
            ),
        }
    else:
        speed = measure(batch_size=BATCH, seconds=2.0)
        found = vars(speed) if dataclasses.is_dataclass(speed) else dict(speed)
        out["triage_inference"] = {
            "model": found.get("model_version"),
            "single_us_per_inquiry": round(1e6 / found["single_per_s"], 1),
            f"batch_of_{BATCH}_us_per_inquiry": round(1e6 / found["batched_per_s"], 1),
            "load_seconds": round(found.get("load_seconds", 0.0), 2),
        }


def _reply(inquiries: Sequence[Any], out: dict[str, Any]) -> None:
    """Reply planning per triaged inquiry: the planner as the reply service calls it."""
    triage_settings = _service("services.triage.settings", "TriageSettings")()
    classifier = _service("services.triage.classifier", "load_classifier")(triage_settings)
    decisions = _service("services.triage.decide", "decide_batch")(
        inquiries, classifier, triage_settings
    )
    triaged = [
        InquiryTriaged.caused_by(
            None, producer="triage", inquiry_id=uuid.uuid4(), inquiry=i, decision=d
        )
        for i, d in zip(inquiries, decisions, strict=True)
    ]
    settings = _service("services.reply.settings", "ReplySettings")()
    calendar = _service("services.reply.business_hours", "BusinessCalendar").from_settings(settings)
    templates = _service("services.reply.templates", "ReplyTemplates").load(
        settings.templates_dir, settings.template_fallback
    )
    plan_reply = _service("services.reply.planner", "plan_reply")

    def plan(event: Any) -> Any:
        return plan_reply(event, settings=settings, calendar=calendar, templates=templates)

    plannable = []
    for event in triaged:
        with contextlib.suppress(Exception):  # the service dead-letters those it cannot plan
            plan(event)
            plannable.append(event)
    out["reply_planning_us"] = per_item_us(lambda: [plan(e) for e in plannable], len(plannable))


def _codec(inquiries: Sequence[Any], out: dict[str, Any]) -> None:
    """Every stage validates what it reads and serialises what it sends."""
    events = [
        InquiryReceived.caused_by(None, producer="intake", inquiry_id=None, payload=i)
        for i in inquiries
    ]
    values = [e.model_dump_json().encode() for e in events]
    out["received_event_bytes_mean"] = round(sum(map(len, values)) / len(values))
    out["received_event_validate_us"] = per_item_us(
        lambda: [InquiryReceived.model_validate_json(v) for v in values], len(values)
    )
    out["received_event_serialise_us"] = per_item_us(
        lambda: [e.model_dump_json() for e in events], len(events)
    )


def measure_stages(mix: InquiryMix) -> dict[str, Any]:
    out: dict[str, Any] = {}
    state: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("intake", lambda: state.__setitem__("inquiries", _intake(mix, out))),
        ("triage inference", lambda: _inference(state["inquiries"], out)),
        ("reply planning", lambda: _reply(state["inquiries"], out)),
        ("codec", lambda: _codec(state["inquiries"], out)),
    ]
    # A stage's own error logging would flood the table; its errors are reported instead.
    logging.disable(logging.CRITICAL)
    try:
        for name, step in steps:
            try:
                step()
            except Exception as error:
                out.setdefault("unavailable", {})[name] = f"{type(error).__name__}: {error}"
                traceback.print_exc()
    finally:
        logging.disable(logging.NOTSET)
    return out
