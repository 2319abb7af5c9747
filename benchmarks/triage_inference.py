"""Triage's decisions per CPU second on this machine, without the bus: the service's handler
(`triage_batch`: read the records, classify, decide, build the two events of each inquiry) over
one record a call (the small batches of a quiet hour) and over a consumer batch a call, with the
shipped model.

    python -m benchmarks.triage_inference [--batch 500] [--seconds 5]

CPU time, not wall time: on a machine shared with other work it is the steady figure.
`make bench` may call `measure()` and put its figures in its report.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord

from services.triage.classifier import load_classifier
from services.triage.handler import triage_batch
from services.triage.settings import TriageSettings
from shared.events import CitizenProfile, Inquiry, InquiryReceived
from shared.settings import REPO_ROOT
from shared.topics import INQUIRIES_RECEIVED, TopicNames
from shared.vocabulary import Channel, Language

CORPUS = REPO_ROOT / "training" / "corpus" / "inquiries.jsonl"


@dataclass(frozen=True)
class InferenceSpeed:
    model_version: str
    batch_size: int
    single_per_s: float
    batched_per_s: float
    load_seconds: float


def sample_inquiries(count: int) -> list[Inquiry]:
    """Corpus texts in every channel's style, repeated to `count`."""
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [
        Inquiry(
            channel=Channel(row["channel"]),
            channel_message_id=f"bench-{i}",
            received_at=datetime(2026, 11, 23, tzinfo=UTC),
            text=row["text"],
            subject=row.get("subject"),
            language=Language(row["language"]),
            citizen=CitizenProfile(phone="+45 21 43 65 87"),
            thread_key=f"bench-{i}",
        )
        for i, row in ((i, rows[i % len(rows)]) for i in range(count))
    ]


def received_records(inquiries: Sequence[Inquiry]) -> list[ConsumerRecord[Any, Any]]:
    """The inquiries as the triage service reads them: intake's events on the bus."""
    values = [
        InquiryReceived.caused_by(None, producer="intake", inquiry_id=uuid.uuid4(), payload=i)
        .model_dump_json()
        .encode()
        for i in inquiries
    ]
    return [
        ConsumerRecord(INQUIRIES_RECEIVED, 0, offset, 0, 0, None, value, None, 0, len(value), ())
        for offset, value in enumerate(values)
    ]


def _rate(triage: object, batches: Sequence[Sequence[Any]], seconds: float) -> float:
    done, started = 0, time.process_time()
    while True:
        for batch in batches:
            triage(batch)  # type: ignore[operator]
            done += len(batch)
            elapsed = time.process_time() - started
            if elapsed >= seconds:
                return done / elapsed


def measure(*, batch_size: int = 500, seconds: float = 5.0) -> InferenceSpeed:
    """Decisions per CPU second, one at a time and `batch_size` at a time, each for about
    `seconds` of CPU."""
    settings = TriageSettings()
    names = TopicNames(settings.topic_prefix)
    started = time.perf_counter()
    classifier = load_classifier(settings)
    load_seconds = time.perf_counter() - started
    records = received_records(sample_inquiries(max(batch_size, 1) * 4))

    def triage(batch: Sequence[ConsumerRecord[Any, Any]]) -> None:
        triage_batch(batch, classifier=classifier, settings=settings, names=names)

    # As every service does once loaded (shared/service.py); undone afterwards, this
    # process is not the service.
    gc.freeze()
    try:
        triage(records[:batch_size])  # warm-up: first-call costs are not a rate
        single = _rate(triage, [[r] for r in records], seconds)
        batched = _rate(
            triage,
            [records[k : k + batch_size] for k in range(0, len(records), batch_size)],
            seconds,
        )
    finally:
        gc.unfreeze()
    return InferenceSpeed(
        model_version=classifier.version,
        batch_size=batch_size,
        single_per_s=round(single, 1),
        batched_per_s=round(batched, 1),
        load_seconds=round(load_seconds, 2),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.triage_inference")
    parser.add_argument("--batch", type=int, default=500, help="inquiries a call (the consumer's)")
    parser.add_argument("--seconds", type=float, default=5.0, help="time for each measurement")
    args = parser.parse_args(argv)
    speed = measure(batch_size=args.batch, seconds=args.seconds)
    print(
        f"triage {speed.model_version}: {speed.single_per_s:,.0f} decisions a CPU second one "
        f"at a time, {speed.batched_per_s:,.0f} in batches of {speed.batch_size} "
        f"(model loaded in {speed.load_seconds:.2f} s)"
    )
    print(json.dumps(asdict(speed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
