"""One chaos run from start to end: everything it starts is registered for stopping first, so
that a failure, a timeout or Ctrl-C leaves nothing running."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from benchmarks.chaos.audit import (
    Holdings,
    by_reason,
    duplicated,
    email_repeats_without_a_reply_kill,
    emails,
    longest_pause_ms,
    read_all,
)
from benchmarks.chaos.faults import (
    CLUSTER,
    PIPELINE,
    Faults,
    instance_name,
    kill_moments,
    plan_faults,
)
from benchmarks.chaos.feed import Fed, feed
from benchmarks.chaos.sink import SmtpSink
from benchmarks.inquiry_mix import InquiryMix, Outcome
from benchmarks.pipeline import SERVICES, Pipeline
from services.metrics.settings import MetricsSettings
from services.metrics.store import Statistics
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from shared.database import make_engine
from shared.groups import consumer_groups
from shared.settings import REPO_ROOT
from shared.topics import TopicNames

PGCTL = REPO_ROOT / "deploy" / "postgres" / "pgctl"
GATEWAY_KEY = "chaos-gateway-key-not-a-secret"
PORT_STRIDE = 10  # deploy/pipeline: instance i listens on the service's port + (i-1)*10
# The metrics service's counters, and what each must equal at the end.
COUNTERS = (
    "inquiries_received_total",
    "inquiries_triaged_total",
    "replies_planned_total",
    "dead_letters_total",
)
# Seconds the pipeline must stay quiet (no lag, no new e-mail) to be taken as settled.
QUIET = 15.0


@dataclass(frozen=True)
class Options:
    inquiries: int
    rate: float
    seed: int
    instances: int
    kills_per_service: int
    broker_kill: bool
    broker_outage: float
    smtp_trouble: float
    http_every: int
    bootstrap: str | None
    cluster_ports: list[str]
    postgres: str | None
    http_port: int
    smtp_port: int
    settle: float
    timeout: float
    json_path: Path
    state_dir: Path
    run: str


def say(text: str) -> None:
    print(text, flush=True)


def _sh(*command: object, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        list(map(str, command)), env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def _quietly(*command: object, env: dict[str, str] | None = None) -> None:
    """A stopping step of the cleanup: its failure must not keep the next steps from running."""
    subprocess.run(list(map(str, command)), env=env, capture_output=True, check=False)


class ChaosRun:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.prefix = f"chaos{options.run}."
        self.names = TopicNames(self.prefix)
        self.started = time.monotonic()  # the feed's and the faults' start, once they begin

    async def main(self) -> dict[str, Any]:
        async with AsyncExitStack() as cleanup:
            return await asyncio.wait_for(self._run(cleanup), self.o.timeout)
        raise AssertionError("unreachable")

    # ---- what the run starts, each registered for stopping before anything else happens
    def _database(self, cleanup: AsyncExitStack) -> str:
        server = self.o.postgres
        if not server:
            if "already running" not in _sh(PGCTL, "up"):
                cleanup.callback(_quietly, PGCTL, "down")
            server = _sh(PGCTL, "url")
        name = f"chaos_{self.o.run}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        cleanup.callback(drop)
        return server.rsplit("/", 1)[0] + f"/{name}"

    def _cluster(self, cleanup: AsyncExitStack) -> tuple[str, dict[str, str] | None]:
        if self.o.bootstrap:
            return self.o.bootstrap, None
        env = {**os.environ, "KAFKA_CLUSTER_PORTS": " ".join(self.o.cluster_ports)}
        running = subprocess.run([CLUSTER, "status"], env=env, capture_output=True, check=False)
        if running.returncode != 0:
            say("starting the three-broker cluster ...")
            cleanup.callback(_quietly, CLUSTER, "down", env=env)
            _sh(CLUSTER, "up", env=env)
        else:
            say("using the running cluster (left running afterwards)")
        return _sh(CLUSTER, "bootstrap", env=env), env

    def _pipeline_env(self, bootstrap: str, database_url: str, run_dir: Path) -> dict[str, str]:
        brokers = len(bootstrap.split(","))
        ports = {s: self.o.http_port + i for i, s in enumerate(SERVICES)}
        return {
            **os.environ,
            "STATE_DIR": str(run_dir),
            "INSTANCES": str(self.o.instances),
            "PORT_STRIDE": str(PORT_STRIDE),
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "TOPIC_PREFIX": self.prefix,
            "TOPIC_REPLICATION_FACTOR": str(min(3, brokers)),
            "TOPIC_MIN_INSYNC_REPLICAS": str(min(2, brokers)),
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "test",
            "LOG_LEVEL": "WARNING",
            "INTAKE_CPR_SALT": "chaos-run-salt-not-a-secret",
            "INTAKE_GATEWAY_ADAPTERS": json.dumps({"chaos": {"key": GATEWAY_KEY}}),
            "REPLY_SMTP_HOST": "127.0.0.1",
            "REPLY_SMTP_PORT": str(self.o.smtp_port),
            "REPLY_SMTP_TIMEOUT_SECONDS": "5",
            "REPLY_WATCH_INTERVAL_SECONDS": "2",
            # A killed instance's e-mails wait for its lease to run out: short, for a short run.
            "REPLY_EMAIL_LEASE_SECONDS": "20",
            **{f"{s.upper()}_HTTP_PORT": str(p) for s, p in ports.items()},
        }

    def _url(self, service: str, number: int) -> str:
        port = self.o.http_port + SERVICES.index(service) + (number - 1) * PORT_STRIDE
        return f"http://127.0.0.1:{port}"

    # ---- the run
    async def _run(self, cleanup: AsyncExitStack) -> dict[str, Any]:
        o = self.o
        run_dir = o.state_dir / f"run-{o.run}"
        run_dir.mkdir(parents=True, exist_ok=True)
        say(
            f"chaos run {o.run}: {o.inquiries} messages at {o.rate:.0f}/s, seed {o.seed}, "
            f"logs in {run_dir}/logs"
        )
        database_url = self._database(cleanup)
        sink = SmtpSink(o.smtp_port)
        sink.start()
        cleanup.callback(sink.stop)
        bootstrap, cluster_env = self._cluster(cleanup)
        cleanup.push_async_callback(self._delete_topics, bootstrap)
        env = self._pipeline_env(bootstrap, database_url, run_dir)
        cleanup.callback(_quietly, PIPELINE, "down", env=env)
        say(f"starting {o.instances} instances of each service on {bootstrap} ...")
        _sh(PIPELINE, "up", env=env)

        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
        )
        cleanup.push_async_callback(producer.stop)
        await producer.start()

        mix = InquiryMix()
        messages = mix.messages(0, o.inquiries)
        plan = plan_faults(
            seed=o.seed,
            duration=o.inquiries / o.rate,
            instances=o.instances,
            kills_per_service=o.kills_per_service,
            broker_kill=o.broker_kill and cluster_env is not None,
            broker_outage=o.broker_outage if cluster_env is not None else 0.0,
            smtp_trouble=o.smtp_trouble,
        )
        say("faults planned:\n" + "\n".join(f.describe() for f in plan))
        faults = Faults(pipeline_env=env, cluster_env=cluster_env, sink=sink, say=say)
        gateways = [self._url("intake", i) for i in range(1, o.instances + 1)]
        self.started = time.monotonic()
        fed, _ = await asyncio.gather(
            feed(
                producer,
                self.names,
                messages,
                rate=o.rate,
                gateways=gateways,
                gateway_key=GATEWAY_KEY,
                http_every=o.http_every,
            ),
            faults.run(plan),
        )
        say(
            f"fed {len(fed.accepted)} accepted in {fed.seconds:.0f} s "
            f"({fed.by_gateway} by the gateway); faults done at {time.monotonic() - self.started:.0f} s"
        )
        settled = await self._settle(bootstrap, sink, database_url)
        say("reading every topic of the run (read_committed) ...")
        held = await read_all(bootstrap, self.names, mix)
        stopped = faults.not_running(
            instance_name(s, i) for s in SERVICES for i in range(1, self.o.instances + 1)
        )
        if stopped:
            say(f"stopped on their own (see their logs): {', '.join(stopped)}")
        counted = await self._metrics(bootstrap, stopped)
        kept = statistics_kept(database_url)
        result = self._result(
            fed=fed,
            held=held,
            sink=sink,
            counted=counted,
            kept=kept,
            faults=faults,
            stopped=stopped,
            settled=settled,
            messages=messages,
        )
        say(table(result))
        return result

    async def _delete_topics(self, bootstrap: str) -> None:
        """The run's topics go with it: a broker restarted later need not recover them."""
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            await asyncio.wait_for(admin.start(), 30)
            mine = [t for t in await admin.list_topics() if t.startswith(self.prefix)]
            if mine:
                await asyncio.wait_for(admin.delete_topics(mine), 60)
        except Exception as error:  # a cluster already gone: nothing to delete
            say(f"could not delete the run's topics: {error}")
        finally:
            await admin.close()

    async def _settle(self, bootstrap: str, sink: SmtpSink, database_url: str) -> bool:
        """Until every consumer group has committed everything, no e-mail waits in reply's
        outbox and none arrived for QUIET seconds, or `settle` seconds have passed."""
        say("waiting for the pipeline to catch up ...")
        deadline = time.monotonic() + self.o.settle
        last: tuple[int, int] | None = None
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            try:
                lag = sum(g.total_lag for g in await consumer_groups(bootstrap, self.prefix))
            except Exception:  # a broker still electing leaders: ask again
                lag = -1
            now = (lag, sink.accepted)
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif (
                lag == 0
                and time.monotonic() - quiet_since >= QUIET
                and not emails_waiting(database_url)
            ):
                return True
            await asyncio.sleep(2)
        say(f"not settled after {self.o.settle:.0f} s (lag {last[0] if last else '?'})")
        return False

    async def _metrics(self, bootstrap: str, stopped: list[str]) -> dict[str, float]:
        """The live counters of the metrics instances still running."""
        ports = {
            name: int(self._url("metrics", i).rsplit(":", 1)[1])
            for i in range(1, self.o.instances + 1)
            if (name := instance_name("metrics", i)) not in stopped
        }
        scraper = Pipeline(bootstrap, self.prefix, self.o.state_dir, ports=ports)
        return {
            name: sum([await scraper.metric(instance, name) for instance in ports])
            for name in COUNTERS
        }

    def _result(
        self,
        *,
        fed: Fed,
        held: Holdings,
        sink: SmtpSink,
        counted: dict[str, float],
        kept: dict[str, int],
        faults: Faults,
        stopped: list[str],
        settled: bool,
        messages: list[Any],
    ) -> dict[str, Any]:
        # A resend carries its original's number: the original's outcome is the number's.
        outcome: dict[int, Outcome] = {}
        for m in messages:
            outcome.setdefault(m.number, m.outcome)
        wanted = {n for n in fed.accepted if outcome[n] is Outcome.INQUIRY}
        truth = {
            "inquiries_received_total": len(held.received),
            "inquiries_triaged_total": len(held.triaged),
            "replies_planned_total": sum(len(p) for p in held.planned.values()),
            "dead_letters_total": len(held.dead_letter_records),
        }
        # Prometheus counters live in their process and start again at 0 when it restarts (a
        # query's increase() allows for that): after kills they may fall short, never exceed.
        # The statistics metrics keeps in its store must equal what the topics hold.
        metrics = {
            name: {
                "counted": int(counted[name]),
                "expected": truth[name],
                **({"kept": kept[name]} if name in kept else {}),
            }
            for name in COUNTERS
        }
        mail = emails(held, sink.delivered)
        # seconds after the feed and the faults began, to set beside the faults' times
        repeated = sink.repeated(since=self.started)
        # Neither on a queue nor set aside with a reason: an inquiry the feed meant as one that a
        # stage dead-lettered is not lost (the table's dead letters say why), but it is counted.
        lost = len(wanted - held.routed_numbers - held.dead_lettered_numbers)
        dup_queue = duplicated(held.routed)
        bar = {
            "lost": lost == 0,
            "duplicated_on_queue_topics": dup_queue == 0,
            "emails_twice": mail["twice_or_more"] == 0,
            "every_instance_running": not stopped,
            "metrics_equal_counts": all(
                m["counted"] <= m["expected"] and m.get("kept", m["expected"]) == m["expected"]
                for m in metrics.values()
            ),
        }
        o = self.o
        return {
            "run": o.run,
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "options": {
                "inquiries": o.inquiries,
                "rate": o.rate,
                "seed": o.seed,
                "instances": o.instances,
                "kills_per_service": o.kills_per_service,
                "broker_kill": o.broker_kill,
                "broker_outage_s": o.broker_outage,
                "smtp_trouble_s": o.smtp_trouble,
                "http_every": o.http_every,
                "own_cluster": o.bootstrap is None,
            },
            "fed": {
                "messages": len(messages),
                "accepted": len(fed.accepted),
                "by_gateway": fed.by_gateway,
                "not_accepted": dict(fed.refused),
                "inquiries_expected_on_a_queue": len(wanted),
                "unreadable_expected_dead_lettered": sum(
                    outcome[n] is Outcome.DEAD_LETTER for n in fed.accepted
                ),
                "feed_seconds": round(fed.seconds, 1),
            },
            "on_a_queue": len(held.routed),
            "on_a_queue_from_this_feed": len(wanted & held.routed_numbers),
            "expected_on_a_queue_dead_lettered": len(
                (wanted - held.routed_numbers) & held.dead_lettered_numbers
            ),
            "duplicated_on_queue_topics": dup_queue,
            "extra_copies_on_queue_topics": sum(n - 1 for n in held.routed.values() if n > 1),
            "lost": lost,
            "callback_tasks_twice": duplicated(held.callbacks),
            "dead_letters": by_reason(held),
            "dead_letter_records": sum(held.dead_letters.values()),
            "dead_letters_distinct": len(held.dead_letter_records),
            "replies_planned": {
                "once": sum(1 for p in held.planned.values() if len(p) == 1),
                "twice_or_more": sum(1 for p in held.planned.values() if len(p) > 1),
                # the same plan published again (one reply, its record twice)
                "records_repeated": held.plan_records - sum(len(p) for p in held.planned.values()),
            },
            "outbox_messages_twice": duplicated(held.outbox),
            "emails": {**mail, "refused_by_sink": sink.refused, "stalled_by_sink": sink.stalled},
            "emails_accepted_twice_at": repeated,
            "emails_twice_without_a_reply_kill": email_repeats_without_a_reply_kill(
                repeated, kill_moments(faults.log, "reply")
            ),
            "metrics": metrics,
            "longest_routing_pause_ms": longest_pause_ms(held.routed_at),
            "faults": faults.log,
            "fault_failures": faults.failures,
            "stopped_on_their_own": stopped,
            "settled": settled,
            "bar": bar,
            "bar_met": all(bar.values()) and settled and not faults.failures,
        }


def emails_waiting(database_url: str) -> bool:
    """Whether reply's outbox still holds an e-mail to send (pending, or under a lease)."""
    engine = make_engine(ReplySettings(database_url=database_url))
    try:
        return ReplyStore(engine).next_email_due() is not None
    finally:
        engine.dispose()


def statistics_kept(database_url: str) -> dict[str, int]:
    """The inquiries received and triaged as metrics' own store counts them, every day summed."""
    settings = MetricsSettings(database_url=database_url)
    engine = make_engine(settings)
    try:
        rows = Statistics(engine, zone=ZoneInfo(settings.timezone)).daily_counts(date.min, date.max)
    finally:
        engine.dispose()
    kept = {"inquiries_received_total": 0, "inquiries_triaged_total": 0}
    for row in rows:
        if row.event_type == "inquiry.received":
            kept["inquiries_received_total"] += row.count
        elif row.event_type == "inquiry.triaged":
            kept["inquiries_triaged_total"] += row.count
    return kept


def table(r: dict[str, Any]) -> str:
    f, e, p = r["fed"], r["emails"], r["replies_planned"]
    rows = [
        (
            "messages fed / distinct accepted",
            f"{f['messages']} / {f['accepted']} ({f['by_gateway']} by the gateway)",
        ),
        ("inquiries expected on a queue", f["inquiries_expected_on_a_queue"]),
        ("on a queue (distinct inquiry ids)", r["on_a_queue"]),
        (
            "duplicated on queue topics",
            f"{r['duplicated_on_queue_topics']} inquiries "
            f"({r['extra_copies_on_queue_topics']} extra copies)",
        ),
        ("lost", r["lost"]),
        ("meant as inquiries, dead-lettered", r["expected_on_a_queue_dead_lettered"]),
        ("callback tasks twice", r["callback_tasks_twice"]),
        (
            "dead letters (records / distinct)",
            f"{r['dead_letter_records']} / {r['dead_letters_distinct']} "
            f"({f['unreadable_expected_dead_lettered']} unreadable fed)",
        ),
        (
            "replies planned once / twice",
            f"{p['once']} / {p['twice_or_more']} ({p['records_repeated']} plan records repeated)",
        ),
        ("outbox messages twice", r["outbox_messages_twice"]),
        ("e-mails planned", e["planned"]),
        (
            "e-mails delivered once / twice / never",
            f"{e['once']} / {e['twice_or_more']} / {e['never']}",
        ),
        (
            "e-mails twice without a reply kill",
            len(r.get("emails_twice_without_a_reply_kill", [])),
        ),
        ("sink refused / stalled", f"{e['refused_by_sink']} / {e['stalled_by_sink']}"),
        *(
            (
                f"metrics {name}",
                f"{m['expected']} on the topics, "
                + (f"{m['kept']} in metrics' statistics, " if "kept" in m else "")
                + f"{m['counted']} in the live counters",
            )
            for name, m in r["metrics"].items()
        ),
        ("longest pause in routing", f"{r['longest_routing_pause_ms'] / 1000:.1f} s"),
        ("faults carried out", f"{len(r['faults'])} steps, {len(r['fault_failures'])} failed"),
        ("stopped on their own", ", ".join(r.get("stopped_on_their_own", [])) or "none"),
        ("settled", "yes" if r["settled"] else "NO"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = ["", "=" * 72, f"chaos run {r['run']}", "=" * 72]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    lines.append("dead letters:" if r["dead_letters"] else "dead letters: none")
    lines += [f"  {d['count']:>6}  {d['stage']}: {d['reason']}" for d in r["dead_letters"]]
    lines += [
        f"e-mail accepted twice: {message_id} at {', '.join(f'{t:.1f} s' for t in times)}"
        for message_id, times in r.get("emails_accepted_twice_at", {}).items()
    ]
    missed = [k for k, ok in r["bar"].items() if not ok]
    lines.append(
        "BAR MET" if r["bar_met"] else f"BAR MISSED: {', '.join(missed) or 'run incomplete'}"
    )
    return "\n".join(lines)
