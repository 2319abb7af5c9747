"""Per stage, in this process and without the bus: intake's normalisation, triage's inference
(one inquiry a call and a whole batch a call), reply's planning, and the envelope's own codec cost.

Each stage calls the function its service's handler calls; what each service costs inside the
running pipeline is measured there (end_to_end.py: CPU and handler time per inquiry).
"""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.inquiry_mix import InquiryMix, Outcome
from benchmarks.triage_inference import measure as measure_triage
from services.intake.normalise import Normalised, read_messages
from services.reply.business_hours import BusinessCalendar
from services.reply.planner import CannotPlan, plan_reply
from services.reply.settings import ReplySettings
from services.reply.templates import ReplyTemplates
from services.triage.classifier import load_classifier
from services.triage.decide import decide_batch
from services.triage.settings import TriageSettings
from shared.events import Inquiry, InquiryReceived, InquiryTriaged

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


def _intake(mix: InquiryMix, out: dict[str, Any]) -> list[Inquiry]:
    readable = [r for r, o in zip(mix.feed, mix.outcomes, strict=True) if o is Outcome.INQUIRY]

    def batch_of(raws: Sequence[Any]) -> list[Any]:
        return [(r.channel, r.body, {k: v.decode() for k, v in r.headers}) for r in raws]

    def over(raws: Sequence[Any]) -> Callable[[], object]:
        batch = batch_of(raws)
        return lambda: read_messages(batch, salt=SALT)

    out["intake_normalise_us"] = per_item_us(over(readable), len(readable))
    out["intake_normalise_us_by_channel"] = {
        c.value: per_item_us(over(subset), len(subset), min_seconds=0.1)
        for c in sorted({r.channel for r in readable})
        if (subset := [r for r in readable if r.channel is c])
    }
    read = read_messages(batch_of(readable), salt=SALT)
    return [r.inquiry for r in read if isinstance(r, Normalised)]


def _inference(out: dict[str, Any]) -> None:
    # The triage engineers' own measurement (benchmarks/triage_inference.py).
    speed = measure_triage(batch_size=BATCH, seconds=2.0)
    out["triage_inference"] = {
        "model": speed.model_version,
        "single_us_per_inquiry": round(1e6 / speed.single_per_s, 1),
        f"batch_of_{BATCH}_us_per_inquiry": round(1e6 / speed.batched_per_s, 1),
        "load_seconds": round(speed.load_seconds, 2),
    }


def _reply(inquiries: Sequence[Inquiry], out: dict[str, Any]) -> None:
    """Reply planning per triaged inquiry: the planner as the reply service calls it."""
    triage_settings = TriageSettings()
    decisions = decide_batch(inquiries, load_classifier(triage_settings), triage_settings)
    triaged = [
        InquiryTriaged.caused_by(
            None, producer="triage", inquiry_id=uuid.uuid4(), inquiry=i, decision=d
        )
        for i, d in zip(inquiries, decisions, strict=True)
    ]
    settings = ReplySettings()
    calendar = BusinessCalendar.from_settings(settings)
    templates = ReplyTemplates.load(settings.templates_dir, settings.template_fallback)

    def plan(event: InquiryTriaged) -> object:
        return plan_reply(event, settings=settings, calendar=calendar, templates=templates)

    plannable = []
    for event in triaged:
        try:
            plan(event)
        except CannotPlan:  # the service dead-letters those
            continue
        plannable.append(event)
    out["reply_planning_us"] = per_item_us(lambda: [plan(e) for e in plannable], len(plannable))


def _codec(inquiries: Sequence[Inquiry], out: dict[str, Any]) -> None:
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
        ("triage inference", lambda: _inference(out)),
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
