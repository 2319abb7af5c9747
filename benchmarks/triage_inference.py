"""Triage's decisions per second on this machine, without the bus: one inquiry a call (as a
person at the CLI) and a consumer batch a call (as the service), with the shipped model.

    python -m benchmarks.triage_inference [--batch 500] [--seconds 5]

`make bench` may call `measure()` and put its figures in its report.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from services.triage.decide import decide_batch
from services.triage.loading import load_classifier
from services.triage.settings import TriageSettings
from shared.events import CitizenProfile, Inquiry
from shared.settings import REPO_ROOT
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


def _rate(decide: object, batches: Sequence[Sequence[Inquiry]], seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while True:
        for batch in batches:
            decide(batch)  # type: ignore[operator]
            done += len(batch)
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                return done / elapsed


def measure(*, batch_size: int = 500, seconds: float = 5.0) -> InferenceSpeed:
    """Decisions per second, one at a time and `batch_size` at a time, each for about `seconds`."""
    settings = TriageSettings()
    started = time.perf_counter()
    classifier = load_classifier(settings)
    load_seconds = time.perf_counter() - started
    inquiries = sample_inquiries(max(batch_size, 1) * 4)

    def decide(batch: Sequence[Inquiry]) -> None:
        decide_batch(batch, classifier, settings)

    decide(inquiries[:batch_size])  # warm-up: first-call costs are not a rate
    single = _rate(decide, [[i] for i in inquiries], seconds)
    batched = _rate(
        decide,
        [inquiries[k : k + batch_size] for k in range(0, len(inquiries), batch_size)],
        seconds,
    )
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
        f"triage {speed.model_version}: {speed.single_per_s:,.0f} decisions/s one at a time, "
        f"{speed.batched_per_s:,.0f} decisions/s in batches of {speed.batch_size} "
        f"(model loaded in {speed.load_seconds:.2f} s)"
    )
    print(json.dumps(asdict(speed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
