"""`python -m benchmarks` (`make bench`): how fast the pipeline is, and how far from the bus's
own limit, measured in one run on this machine. See benchmarks/README.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.broker import broker
from benchmarks.bus_only import (
    bus_only_rate,
    per_message,
    pipeline_traffic_rate,
    records_on,
    sent_per_message,
)
from benchmarks.end_to_end import offer, running_pipeline
from benchmarks.inquiry_mix import InquiryMix
from benchmarks.pipeline import SERVICES
from benchmarks.profile import profiled
from benchmarks.report import load_average, machine, table
from benchmarks.stages import measure_stages
from shared.topics import all_topics

RESULTS = Path(__file__).resolve().parent / "results"
# The JIT keeps compiling what the warm-up made hot for a while after it.
WARM_UP_SETTLE_SECONDS = 20.0

# The targets for a 2-core machine.
TARGETS: dict[str, Any] = {
    "e2e_throughput_per_s": 2000,
    "p99_at_rate": 500,
    "p99_ms": 250,
    "ratio_to_bus": 0.25,
    "rss_mb": 300,
}


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("-n", type=int, default=50_000, help="raw inquiries for the throughput run")
    parser.add_argument(
        "--rates", default="100,500,2000", help="offered rates for the latency runs, per second"
    )
    parser.add_argument(
        "--latency-seconds", type=float, default=10.0, help="how long each rate is offered"
    )
    parser.add_argument("--partitions", type=int, default=3, help="partitions of every topic")
    parser.add_argument(
        "--scaling-n", type=int, default=20_000, help="inquiries per scaling run (0: no scaling)"
    )
    parser.add_argument("--bus-n", type=int, default=None, help="messages for the bus-only runs")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a service setting for every run, e.g. TRIAGE_BATCH_MAX_RECORDS=1000; "
        "*_BATCH_MAX_RECORDS=1000 sets it for every service",
    )
    parser.add_argument(
        "--broker-port",
        type=int,
        default=int(os.environ.get("BENCH_KAFKA_PORT", "25092")),
        help="port of the broker started for the run when KAFKA_BOOTSTRAP_SERVERS is not set",
    )
    parser.add_argument("--skip", default="", help="comma-separated: stages,latency,bus,scaling")
    parser.add_argument(
        "--broker-warm-up",
        type=int,
        default=50_000,
        metavar="N",
        help="messages through the bus before anything is measured (a fresh JVM is slow); 0: none",
    )
    parser.add_argument(
        "--pipeline-warm-up",
        type=int,
        default=10_000,
        metavar="N",
        help="inquiries through the new pipeline, as fast as the producer can, before its "
        "latency is measured (latency of a running pipeline, not of its first seconds); 0: none",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="sample each service with py-spy during the throughput run, into DIR",
    )
    return parser.parse_args(argv)


def service_settings(assignments: list[str]) -> dict[str, str]:
    """NAME=VALUE pairs for the services' environment; `*_NAME` sets it for each service."""
    settings = {}
    for assignment in assignments:
        name, value = assignment.split("=", 1)
        names = (
            [name.replace("*", s.upper(), 1) for s in SERVICES] if name.startswith("*_") else [name]
        )
        settings.update(dict.fromkeys(names, value))
    return settings


async def measure(args: argparse.Namespace, bootstrap: str, result: dict[str, Any]) -> None:
    skip = set(filter(None, args.skip.split(",")))
    settings = service_settings(args.set)
    mix = InquiryMix()
    result["mix"] = mix.shares()
    result["config"] = {
        "n": args.n,
        "partitions": args.partitions,
        "latency_seconds": args.latency_seconds,
        "settings": settings,
    }

    if "stages" not in skip:
        say("per-stage timings, in process")
        result["stages"] = measure_stages(mix)

    if args.broker_warm_up > 0:
        # A broker just started runs its Java code interpreted until the JIT has compiled the
        # hot paths: latency measured in its first minute was two to four times what the same
        # pipeline showed on a broker that had run for an hour. Nothing of this is recorded.
        say(f"warming the broker up: {args.broker_warm_up:,} messages through four hops")
        await bus_only_rate(
            bootstrap, mix.messages(0, args.broker_warm_up), hops=4, partitions=args.partitions
        )
        await asyncio.sleep(WARM_UP_SETTLE_SECONDS)

    say(f"pipeline: {args.partitions} partitions, one instance of each service")
    async with running_pipeline(
        bootstrap, mix, partitions=args.partitions, settings=settings
    ) as running:
        if args.pipeline_warm_up > 0 and "latency" not in skip:
            # The first seconds of a new pipeline are slower than its steady state: the broker
            # meets new topics and consumer groups, the services their first batches. Nothing
            # of this is recorded; the stores keep these inquiries, as a running service's do.
            say(f"warming the pipeline up: {args.pipeline_warm_up:,} inquiries")
            await offer(running, args.pipeline_warm_up, rate=None)
            await asyncio.sleep(WARM_UP_SETTLE_SECONDS)
        if "latency" not in skip:
            result["latency_ms"] = {}
            for rate in (float(r) for r in args.rates.split(",")):
                count = int(rate * args.latency_seconds)
                say(f"latency: {count:,} inquiries at {rate:,.0f}/s")
                done = await offer(running, count, rate=rate)
                result["latency_ms"][str(int(rate))] = {**done["latency_ms"], "load": done["load"]}
        say(f"throughput: {args.n:,} inquiries as fast as the producer can")
        # What the pipeline wrote to each topic, beside what its stand-ins send (PIPELINE_TRAFFIC).
        topics = [spec.name for spec in all_topics()]
        probe = running.lag.probe
        before = await records_on(probe, running.names, topics, args.partitions)
        with profiled(running.pipeline, args.profile):
            e2e = await offer(running, args.n, rate=None)
        after = await records_on(probe, running.names, topics, args.partitions)
        result["pipeline_messages_per_inquiry"] = per_message(before, after, args.n)
        result["e2e"] = e2e
        result["e2e_throughput_per_s"] = round(e2e["offered"] / e2e["counted_seconds"])
        result["rss_mb"] = {k: round(v, 1) for k, v in running.pipeline.peak_rss_mb().items()}
        result["processes"] = e2e.pop("processes")

    if "bus" not in skip:
        messages = mix.messages(0, args.bus_n or args.n)
        say(f"bus only: {len(messages):,} of the same raw messages, one hop and four hops")
        result["bus_only_1hop_per_s"] = round(
            await bus_only_rate(bootstrap, messages, hops=1, partitions=args.partitions)
        )
        result["bus_only_4hop_per_s"] = round(
            await bus_only_rate(bootstrap, messages, hops=4, partitions=args.partitions)
        )
        say(f"bus only: {len(messages):,} of them as the pipeline's traffic, with no work done")
        traffic = await pipeline_traffic_rate(bootstrap, messages, partitions=args.partitions)
        result["bus_only_pipeline_traffic_per_s"] = traffic["per_s"]
        result["bus_only_pipeline_traffic_cpu_us"] = traffic["cpu_us_per_inquiry"]
        result["bus_only_pipeline_traffic_messages_per_inquiry"] = traffic["messages_per_inquiry"]
        if "pipeline_messages_per_inquiry" in result:
            result["messages_sent_per_inquiry"] = [
                sent_per_message(result["pipeline_messages_per_inquiry"]),
                sent_per_message(traffic["messages_per_inquiry"]),
            ]
        result["bus_load"] = load_average()
        if "e2e_throughput_per_s" in result:
            result["ratio_to_bus"] = round(
                result["e2e_throughput_per_s"] / result["bus_only_4hop_per_s"], 3
            )
            result["ratio_to_traffic"] = round(result["e2e_throughput_per_s"] / traffic["per_s"], 3)

    if "scaling" not in skip and args.scaling_n > 0:
        result["scaling"] = []
        p = args.partitions
        for partitions, instances in ((p, 1), (p, 2), (2 * p, 1), (2 * p, 2)):
            say(f"scaling: {partitions} partitions, {instances} triage instance(s)")
            async with running_pipeline(
                bootstrap,
                mix,
                partitions=partitions,
                triage_instances=instances,
                settings=settings,
            ) as running:
                done = await offer(running, args.scaling_n, rate=None)
            result["scaling"].append(
                {
                    "partitions": partitions,
                    "triage_instances": instances,
                    "inquiries": args.scaling_n,
                    "per_s": round(args.scaling_n / done["counted_seconds"]),
                    "load": done["load"],
                    "processes": done["processes"],
                }
            )


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _stop(signum: int, _frame: object) -> None:
    # Unwinds like Ctrl-C: the pipeline's processes, the relays and the broker are stopped.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    signal.signal(signal.SIGTERM, _stop)
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    started = time.time()
    result: dict[str, Any] = {}
    with broker(given, args.broker_port) as bootstrap:
        result["machine"] = machine(bootstrap, own_broker=not given)
        try:
            asyncio.run(measure(args, bootstrap, result))
        finally:
            result["duration_seconds"] = round(time.time() - started)
            result["targets"] = TARGETS
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result, TARGETS))
    print(f"\nWritten to {args.out} ({result['duration_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
