"""The chaos harness's short run on a real three-broker cluster (marker `chaos`, a few minutes):
2,000 messages, one SIGKILL per service, one broker killed and restarted, the SMTP sink refusing
and stalling. `make chaos` is the long run (docs/reliability.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.pipeline import SERVICES
from shared.settings import REPO_ROOT

pytestmark = pytest.mark.chaos

CLUSTER_PORTS = os.environ.get("TEST_CLUSTER_PORTS", "29192 29194 29196")
HTTP_PORT = os.environ.get("TEST_CHAOS_HTTP_PORT", "29301")
SMTP_PORT = os.environ.get("TEST_CHAOS_SMTP_PORT", "29399")


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    postgres = os.environ.get("TEST_POSTGRES_URL")
    if not postgres:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL for CI")
        pytest.skip("PostgreSQL: run deploy/postgres/pgctl up; export TEST_POSTGRES_URL=$(...url)")
    out: Path = tmp_path_factory.mktemp("chaos") / "chaos.json"
    # The cluster of this run only: not a developer's `make cluster-up` on other ports.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.chaos",
            "-n",
            "2000",
            "--rate",
            "100",
            "--seed",
            "14",
            "--kills-per-service",
            "1",
            "--broker-outage",
            "0",
            "--smtp-trouble",
            "10",
            "--cluster-ports",
            CLUSTER_PORTS,
            "--postgres",
            postgres,
            "--http-port",
            HTTP_PORT,
            "--smtp-port",
            SMTP_PORT,
            "--settle",
            "150",
            "--timeout",
            "600",
            "--json",
            str(out),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=660,
        check=False,
    )
    print(done.stdout[-6000:], done.stderr[-3000:])
    assert done.returncode in (0, 1), f"the chaos run itself failed:\n{done.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(out.read_text())
    assert done.returncode == (0 if result["bar_met"] else 1)
    return result


def test_every_fault_was_carried_out_and_the_pipeline_settled(chaos: dict[str, Any]) -> None:
    assert chaos["fault_failures"] == []
    killed = {f["target"].split("-")[0] for f in chaos["faults"] if f["fault"] == "kill"}
    assert killed == set(SERVICES)
    assert any(f["fault"] == "broker-kill" for f in chaos["faults"])
    assert chaos["settled"]


def test_no_instance_stopped_on_its_own(chaos: dict[str, Any]) -> None:
    # A broker killed under an open transaction once made healthy instances stop themselves.
    assert chaos["stopped_on_their_own"] == []


def test_nothing_accepted_is_lost(chaos: dict[str, Any]) -> None:
    assert chaos["fed"]["inquiries_expected_on_a_queue"] > 1500
    assert chaos["lost"] == 0
    assert chaos["on_a_queue_from_this_feed"] == chaos["fed"]["inquiries_expected_on_a_queue"]
    assert chaos["emails"]["never"] == 0


def test_no_inquiry_is_twice_on_a_queue_and_no_reply_planned_twice(chaos: dict[str, Any]) -> None:
    assert chaos["duplicated_on_queue_topics"] == 0
    assert chaos["callback_tasks_twice"] == 0
    assert chaos["replies_planned"]["twice_or_more"] == 0
    assert chaos["outbox_messages_twice"] == 0


def test_an_email_is_sent_again_only_after_a_reply_kill_in_its_smtp_window(
    chaos: dict[str, Any],
) -> None:
    # SMTP's one ambiguity (docs/reliability.md): the server's 250 and the sender's record of it
    # cannot be one step, so a reply instance killed between them sends that e-mail again. Any
    # other repeat, or more repeats than reply kills, fails here.
    assert chaos["emails_twice_without_a_reply_kill"] == []
    # Every reply delivered twice is a Message-ID the sink accepted twice: none under another id.
    assert chaos["emails"]["twice_or_more"] == len(chaos["emails_accepted_twice_at"])


def test_metrics_never_count_more_than_the_topics_hold(chaos: dict[str, Any]) -> None:
    """Counting is idempotent in the metrics store: a redelivered event is not counted again.
    The live counters start at 0 when their process restarts, so they may fall short."""
    for name, metric in chaos["metrics"].items():
        assert 0 < metric["counted"] <= metric["expected"], name


def test_metrics_statistics_equal_the_counts(chaos: dict[str, Any]) -> None:
    kept = {name: m for name, m in chaos["metrics"].items() if "kept" in m}
    assert kept, "the run read metrics' statistics"
    for name, metric in kept.items():
        assert metric["kept"] == metric["expected"], name
