"""The machine a result came from, the load on it, and the table a person reads."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version
from typing import Any

from benchmarks.broker import kafka_version
from shared.settings import REPO_ROOT


def load_average() -> float:
    """The one-minute load: on a shared 2-core machine, read every figure beside it."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def _cpu_model() -> str:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gb() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def machine(bootstrap: str, own_broker: bool) -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "kafka": kafka_version(),
        "broker": f"{bootstrap} ({'started for this run' if own_broker else 'given'})",
        "faststream": version("faststream"),
        "aiokafka": version("aiokafka"),
        "pydantic": version("pydantic"),
        "commit": _commit(),
        "load_at_start": load_average(),
    }


def _rate(value: float | None) -> str:
    return f"{value:,.0f}/s" if value is not None else "-"


def table(result: dict[str, Any], targets: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}, "
        f"Kafka {m['kafka']} at {m['broker']}; commit {m['commit']}",
        "",
        f"{'measure':<44}{'value':>28}{'target':>16}{'met':>5}{'load':>7}",
        "-" * 100,
    ]

    def row(
        name: str, value: str, target: str = "", load: float | None = None, met: bool | None = None
    ) -> None:
        shown = "" if met is None else ("yes" if met else "no")
        load_shown = "" if load is None else f"{load:.2f}"
        lines.append(f"{name:<44}{value:>28}{target:>16}{shown:>5}{load_shown:>7}")

    e2e = result.get("e2e")
    if e2e:
        row(
            f"end to end, {e2e['offered']:,} raw ({e2e['inquiries']:,} inquiries)",
            _rate(result["e2e_throughput_per_s"]),
            f">= {targets['e2e_throughput_per_s']:,}/s",
            e2e["load"],
            result["e2e_throughput_per_s"] >= targets["e2e_throughput_per_s"],
        )
        row("  of which on their queues after", f"{e2e['queued_seconds']:.1f} s")
    for rate, p in result.get("latency_ms", {}).items():
        judged = int(rate) == targets["p99_at_rate"]
        row(
            f"latency at {int(rate):,}/s: p50 / p95 / p99 / max",
            f"{p['p50']:.0f}/{p['p95']:.0f}/{p['p99']:.0f}/{p['max']:.0f} ms",
            f"p99 < {targets['p99_ms']} ms" if judged else "",
            p.get("load"),
            p["p99"] < targets["p99_ms"] if judged else None,
        )
    row("bus only, one hop", _rate(result.get("bus_only_1hop_per_s")), "", result.get("bus_load"))
    row("bus only, four hops", _rate(result.get("bus_only_4hop_per_s")), "", result.get("bus_load"))
    row(
        "bus only, the pipeline's traffic, no work",
        _rate(result.get("bus_only_pipeline_traffic_per_s")),
        "",
        result.get("bus_load"),
    )
    if result.get("ratio_to_bus") is not None:
        row(
            "pipeline / four-hop bus",
            f"{100 * result['ratio_to_bus']:.0f} %",
            f">= {100 * targets['ratio_to_bus']:.0f} %",
            None,
            result["ratio_to_bus"] >= targets["ratio_to_bus"],
        )
    if result.get("ratio_to_traffic") is not None:
        row("pipeline / its traffic with no work", f"{100 * result['ratio_to_traffic']:.0f} %")
    if sent := result.get("messages_sent_per_inquiry"):
        # The stand-ins send what PIPELINE_TRAFFIC says: this shows whether it is still true.
        row("messages sent per raw message: services / stand-ins", f"{sent[0]} / {sent[1]}")
    for service, mb in result.get("rss_mb", {}).items():
        row(
            f"peak resident memory, {service}",
            f"{mb:.0f} MB",
            f"< {targets['rss_mb']} MB",
            None,
            mb < targets["rss_mb"],
        )
    processes = result.get("processes", {})
    if processes:
        lines += [
            "",
            "Where the time went in the throughput run, per raw inquiry offered; beside it the same",
            "process's CPU when it only carried the pipeline's traffic (bus only, no work)",
            f"  {'process':<12}{'CPU us':>10}{'handler us/msg':>16}{'messages':>10}"
            f"{'no work, CPU us':>17}",
        ]
        traffic = result.get("bus_only_pipeline_traffic_cpu_us", {})
        for name, p in processes.items():
            handler = p.get("handler_us_per_message", "")
            lines.append(
                f"  {name:<12}{p['cpu_us_per_inquiry']:>10}{handler:>16}{p.get('messages', ''):>10}"
                f"{traffic.get(name, ''):>17}"
            )
    stages = result.get("stages", {})
    if stages:
        lines += ["", "Per stage, in process (microseconds per inquiry)"]
        for key, value in stages.items():
            if isinstance(value, dict):
                shown = ", ".join(f"{k} {v}" for k, v in value.items())
                lines.append(f"  {key:<42}{shown}")
            else:
                lines.append(f"  {key:<42}{value}")
    scaling = result.get("scaling", [])
    if scaling:
        lines += [
            "",
            "Scaling (end to end)",
            f"  {'partitions':>10}{'triage':>8}{'rate':>12}{'load':>7}",
        ]
        for s in scaling:
            lines.append(
                f"  {s['partitions']:>10}{s['triage_instances']:>8}{_rate(s['per_s']):>12}"
                f"{s['load']:>7.2f}"
            )
    return "\n".join(lines)
