"""Which services take what has arrived and which gather larger batches, as their consumers get it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.intake.app import build_app as intake_app
from services.intake.settings import IntakeSettings
from services.metrics.app import build_app as metrics_app
from services.metrics.settings import MetricsSettings
from services.reply.app import build_app as reply_app
from services.reply.settings import ReplySettings
from services.triage.app import build_app as triage_app
from services.triage.settings import TriageSettings
from shared.service import ServiceProcess
from shared.settings import DownstreamSettings


def _fetch_settings(process: ServiceProcess) -> set[tuple[int, int]]:
    # FastStream hands these arguments to each subscriber's AIOKafkaConsumer as it starts.
    return {
        (s._connection_args["fetch_min_bytes"], s._connection_args["fetch_max_wait_ms"])  # type: ignore[attr-defined]
        for s in process.broker.subscribers
    }


def test_intake_and_triage_take_what_has_arrived(tmp_path: Path) -> None:
    intake = intake_app(IntakeSettings(state_dir=tmp_path))
    triage = triage_app(TriageSettings(state_dir=tmp_path))
    assert _fetch_settings(intake) == {(1, 500)}
    assert _fetch_settings(triage) == {(1, 500)}


@pytest.mark.parametrize(
    ("build", "settings"), [(reply_app, ReplySettings), (metrics_app, MetricsSettings)]
)
def test_downstream_services_gather_batches(
    build: Callable[..., ServiceProcess], settings: type[DownstreamSettings], tmp_path: Path
) -> None:
    process = build(settings(state_dir=tmp_path))
    assert _fetch_settings(process) == {(256 * 1024, 250)}
    changed = build(settings(state_dir=tmp_path, batch_min_bytes=1, batch_max_wait_ms=100))
    assert _fetch_settings(changed) == {(1, 100)}
