"""The classify command and the running triage service decide each inquiry of the evaluation set
as `make train`'s report says the shipped model does: the report is what a caseworker gets."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from faststream import TestApp
from faststream.kafka import TestKafkaBroker

from services.triage.app import build_app
from services.triage.settings import TriageSettings
from shared.events import InquiryReceived
from shared.schema import migrate
from training.evaluation import REPO, decision_summary, evaluation_set

REPORT = REPO / "training" / "report" / "report.json"


@pytest.fixture(scope="module")
def reported() -> dict[str, dict[str, Any]]:
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    decisions: dict[str, dict[str, Any]] = report["evaluation_set"]["rule_inputs"]["decisions"]
    assert len(decisions) == len(evaluation_set()) >= 300
    return decisions


def test_the_classify_command_decides_as_the_report(
    tmp_path: Path, reported: dict[str, dict[str, Any]]
) -> None:
    items = evaluation_set()
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {
                    "channel": item.channel,
                    "subject": item.subject,
                    "text": item.text,
                    "citizen": item.citizen,
                },
                ensure_ascii=False,
            )
            + "\n"
            for item in items
        ),
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "services.triage", "classify", "--in", source, "--out", target,
         "--language", "en"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert {item.key: decision_summary(d) for item, d in zip(items, out, strict=True)} == reported
    assert all(d["reasons"][3]["text"].startswith("Rule ") for d in out)


async def test_the_triage_service_decides_as_the_report(
    tmp_path: Path, reported: dict[str, dict[str, Any]]
) -> None:
    settings = TriageSettings(
        provision_topics=False, kafka_transactions=False, topic_prefix="rep.", state_dir=tmp_path
    )
    migrate(settings)
    service = build_app(settings)
    triaged: list[dict[str, Any]] = []

    @service.broker.subscriber("rep.inquiries.triaged")
    async def reply(event: dict[str, Any]) -> None:
        triaged.append(event)

    items = evaluation_set()
    async with TestKafkaBroker(service.broker) as broker, TestApp(service.app):
        for item in items:
            event = InquiryReceived.caused_by(
                None, producer="intake", inquiry_id=uuid.uuid4(), payload=item.inquiry()
            )
            await broker.publish(event.model_dump_json().encode(), "rep.inquiries.received")

    decided = {
        event["inquiry"]["channel_message_id"]: decision_summary(event["decision"])
        for event in triaged
    }
    assert decided == reported
    # Danish reasons by default.
    assert all(e["decision"]["reasons"][3]["text"].startswith("Regel ") for e in triaged)
