"""The chaos harness's own arithmetic: the faults it draws and the counts it reports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from benchmarks.chaos.audit import Holdings, duplicated, emails, longest_pause_ms
from benchmarks.chaos.faults import Fault, Faults, plan_faults
from benchmarks.chaos.sink import SmtpSink
from benchmarks.pipeline import SERVICES


def drawn(seed: int, **changes: float) -> list[Fault]:
    """`make chaos`'s defaults over a feed of 100 s, with some changed."""
    options = {
        "duration": 100.0,
        "kills_per_service": 3,
        "broker_outage": 60.0,
        "smtp_trouble": 30.0,
    }
    options.update(changes)
    return plan_faults(
        seed=seed,
        duration=options["duration"],
        instances=2,
        kills_per_service=int(options["kills_per_service"]),
        broker_kill=True,
        broker_outage=options["broker_outage"],
        smtp_trouble=options["smtp_trouble"],
    )


def test_the_plan_kills_every_service_and_each_instance_in_turn() -> None:
    plan = drawn(7)
    kills = Counter(f.target for f in plan if f.kind == "kill")
    for service in SERVICES:
        mine = {t: n for t, n in kills.items() if t.split("-")[0] == service}
        assert sum(mine.values()) == 3
        assert set(mine) == {service, f"{service}-2"}
    assert all(10.0 <= f.at <= 90.0 for f in plan if f.kind == "kill")
    brokers = [f for f in plan if f.kind.startswith("broker")]
    assert [f.kind for f in brokers] == ["broker-kill", "broker-stop"]
    assert brokers[0].target != brokers[1].target
    assert [f.target for f in plan if f.kind == "smtp"] == ["refuse", "stall"]
    assert plan == sorted(plan, key=lambda f: f.at)


def test_the_same_seed_draws_the_same_plan() -> None:
    short = {"duration": 50.0, "kills_per_service": 1, "broker_outage": 0.0, "smtp_trouble": 0.0}
    assert drawn(3, **short) == drawn(3, **short)
    assert drawn(3, **short) != drawn(4, **short)
    assert not any(f.kind in ("broker-stop", "smtp") for f in drawn(3, **short))
    assert sum(f.kind == "kill" for f in drawn(3, **short)) == 4


def test_emails_are_known_by_the_reply_their_message_id_names() -> None:
    held = Holdings()
    plan_a, plan_b, plan_c = (f"0000000{n}-0000-4000-8000-000000000000" for n in (1, 2, 3))
    held.email_plans = {
        plan_a: ("inq-1", "reply"),
        plan_b: ("inq-1", "reply"),
        plan_c: ("inq-2", "reply"),
    }
    delivered = Counter(
        {
            f"<1733.42.7.{plan_a}@reply.invalid>": 1,
            f"<1734.43.8.{plan_b}@reply.invalid>": 1,  # a second plan for the same reply
            "<someone-else@example.dk>": 1,
        }
    )
    assert emails(held, delivered) == {
        "planned": 2,
        "once": 0,
        "twice_or_more": 1,
        "never": 1,
        "unknown_at_sink": 1,
    }


def test_pauses_and_repeats() -> None:
    assert longest_pause_ms([5_000, 1_000, 1_500, 9_000]) == 4_000
    assert longest_pause_ms([]) == 0
    assert duplicated(Counter({"a": 1, "b": 2, "c": 3})) == 2


def test_an_instance_whose_process_is_gone_is_named_as_stopped(tmp_path: Path) -> None:
    """Gone: exited and reaped, exited and never waited for (a zombie takes signal 0 still), or
    never started."""
    pids = tmp_path / "pids"
    pids.mkdir()
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    unreaped = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        stat = Path(f"/proc/{unreaped.pid}/stat")
        deadline = time.monotonic() + 30
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child did not exit"
            time.sleep(0.05)
        (pids / "intake.pid").write_text(str(os.getpid()))
        (pids / "metrics-2.pid").write_text(finished.stdout.strip())
        (pids / "triage.pid").write_text(str(unreaped.pid))
        faults = Faults(
            pipeline_env={"STATE_DIR": str(tmp_path)},
            cluster_env=None,
            sink=SmtpSink(0),
            say=lambda _: None,
        )
        named = faults.not_running(["intake", "metrics-2", "reply", "triage"])
    finally:
        unreaped.wait()
    assert named == ["metrics-2", "reply", "triage"]
