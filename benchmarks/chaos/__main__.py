"""`python -m benchmarks.chaos --help`: start a cluster, PostgreSQL and two instances of each
service, feed inquiries while killing things, then count what was lost or doubled
(docs/reliability.md, "make chaos")."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.chaos.run import ChaosRun, Options
from shared.settings import REPO_ROOT

RESULTS = REPO_ROOT / "benchmarks" / "results"


def arguments(argv: list[str] | None) -> Options:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.chaos",
        description="Kill service instances and brokers while inquiries flow, then count on every "
        "topic (read_committed) and at the SMTP sink what was lost or doubled. Exit 0 when the "
        "bar is met (0 lost, 0 duplicated on queue topics, 0 e-mails twice, metrics equal to "
        "the counts), 1 when it is missed, 2 when the run itself failed.",
    )
    p.add_argument("-n", "--inquiries", type=int, default=20_000, help="messages fed (20,000)")
    p.add_argument("--rate", type=float, default=200.0, help="messages a second (200)")
    p.add_argument("--seed", type=int, default=1, help="the faults' random generator (1)")
    p.add_argument("--instances", type=int, default=2, help="instances of each service (2)")
    p.add_argument("--kills-per-service", type=int, default=3, help="SIGKILLs per service (3)")
    p.add_argument("--no-broker-kill", action="store_true", help="no broker SIGKILL")
    p.add_argument(
        "--broker-outage",
        type=float,
        default=60.0,
        help="seconds one broker is stopped (60; 0: none)",
    )
    p.add_argument(
        "--smtp-trouble",
        type=float,
        default=30.0,
        help="seconds the SMTP sink refuses, then as long stalls (30: 15 + 15; 0: none)",
    )
    p.add_argument(
        "--http-every", type=int, default=10, help="every n-th message via the gateway (10)"
    )
    p.add_argument(
        "--bootstrap", help="an existing cluster's bootstrap list: no broker is started or killed"
    )
    p.add_argument(
        "--cluster-ports",
        default=os.environ.get("KAFKA_CLUSTER_PORTS", "19092 19094 19096"),
        help="client ports of the three brokers (KAFKA_CLUSTER_PORTS; controllers on port+1)",
    )
    p.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL"),
        help="a PostgreSQL server URL; the run creates and drops a database of its own in it "
        "(default TEST_POSTGRES_URL, else deploy/postgres/pgctl up)",
    )
    p.add_argument(
        "--http-port", type=int, default=9301, help="intake's port; others follow (9301)"
    )
    p.add_argument("--smtp-port", type=int, default=9399, help="the SMTP sink's port (9399)")
    p.add_argument(
        "--settle",
        type=float,
        default=180.0,
        help="seconds after the last fault for every group to catch up (180)",
    )
    p.add_argument("--timeout", type=float, default=3600.0, help="the whole run (3600 s)")
    p.add_argument("--json", type=Path, help="result file (benchmarks/results/chaos-<time>.json)")
    p.add_argument("--state-dir", type=Path, help="pids, logs, cluster data (.state/chaos)")
    a = p.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Options(
        inquiries=a.inquiries,
        rate=a.rate,
        seed=a.seed,
        instances=a.instances,
        kills_per_service=a.kills_per_service,
        broker_kill=not a.no_broker_kill,
        broker_outage=a.broker_outage,
        smtp_trouble=a.smtp_trouble,
        http_every=a.http_every,
        bootstrap=a.bootstrap,
        cluster_ports=a.cluster_ports.replace(",", " ").split(),
        postgres=a.postgres,
        http_port=a.http_port,
        smtp_port=a.smtp_port,
        settle=a.settle,
        timeout=a.timeout,
        json_path=a.json or RESULTS / f"chaos-{stamp}.json",
        state_dir=a.state_dir or REPO_ROOT / ".state" / "chaos",
        run=uuid.uuid4().hex[:8],
    )


def _interrupted(signum: int, _frame: object) -> None:
    """SIGTERM as Ctrl-C: asyncio cancels the run, whose cleanup then stops what it started."""
    os.kill(os.getpid(), signal.SIGINT)


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    signal.signal(signal.SIGTERM, _interrupted)
    run = ChaosRun(options)
    try:
        result = asyncio.run(run.main())
    except KeyboardInterrupt:
        print("chaos: interrupted; everything it started is stopped", file=sys.stderr)
        return 2
    except Exception as error:
        print(f"chaos: the run failed: {error}", file=sys.stderr)
        return 2
    options.json_path.parent.mkdir(parents=True, exist_ok=True)
    options.json_path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten to {options.json_path}")
    return 0 if result["bar_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
