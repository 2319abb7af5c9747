"""The four services as real processes on a real broker, with a topic prefix, ports and state
of their own: one harness for the integration tests and the benchmark."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.settings import REPO_ROOT

SERVICES = ("intake", "triage", "reply", "metrics")
# Processes that are not a service's `serve`: the caseworkers' desk belongs to reply.
COMMANDS = {"desk": ("services.reply", "desk")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def module_of(instance: str) -> str:
    """The package an instance runs from (the desk is a process of reply's)."""
    return COMMANDS.get(instance, (f"services.{service_of(instance)}",))[0]


def service_of(instance: str) -> str:
    """`triage-2` is a second instance of triage, in the same consumer group."""
    return instance.split("-", 1)[0]


@dataclass
class Pipeline:
    bootstrap: str
    prefix: str
    state_dir: Path
    # Settings for every process, e.g. TOPIC_PARTITIONS or TRIAGE_BATCH_MAX_RECORDS.
    settings: dict[str, str] = field(default_factory=dict)
    # Settings for one service's processes only, e.g. its own Kafka principal on a secure broker.
    service_settings: dict[str, dict[str, str]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def env(self, instance: str | None = None) -> dict[str, str]:
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "TOPIC_PREFIX": self.prefix,
            "STATE_DIR": str(self.state_dir),
            "ENVIRONMENT": "test",
            "LOG_LEVEL": "WARNING",
            # Intake refuses its placeholder salt outside development.
            "INTAKE_CPR_SALT": "integration-test-salt-not-a-secret",
            **self.settings,
        }
        env.update(
            {f"{s.upper()}_HTTP_PORT": str(p) for s, p in self.ports.items() if s in SERVICES}
        )
        if instance is not None:
            env[f"{service_of(instance).upper()}_HTTP_PORT"] = str(self.ports[instance])
            env.update(self.service_settings.get(service_of(instance), {}))
        if instance is not None and instance != service_of(instance):
            # A store of its own, as on another machine: two processes creating the same
            # SQLite tables at once collide.
            env["STATE_DIR"] = str(self.state_dir / instance)
            # And a transactional id of its own: the same one would fence the other instance.
            env["INSTANCE_ID"] = instance.split("-", 1)[1]
        return env

    def migrate(self, *instances: str) -> None:
        """The explicit step before `serve`, as `make up` takes it: each store's schema."""
        runs = {
            instance: subprocess.Popen(
                [sys.executable, "-m", module_of(instance), "migrate"],
                cwd=REPO_ROOT,
                env=self.env(instance),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            # One run per database: the desk works in reply's, and two migrations of one SQLite
            # file at once would both alter it; a second instance has a store of its own.
            for instance in {
                (module_of(i), self.env(i)["STATE_DIR"]): i for i in instances or SERVICES
            }.values()
        }
        for instance, run in runs.items():
            output, _ = run.communicate(timeout=300)
            if run.returncode:
                raise RuntimeError(f"{instance}: migrate failed:\n{output.decode()[-3000:]}")

    def start(self, *instances: str) -> None:
        for instance in instances or SERVICES:
            self.ports.setdefault(instance, free_port())
        self.migrate(*instances)
        for instance in instances or SERVICES:
            log = (self.state_dir / f"{instance}.log").open("ab")
            self.processes[instance] = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    *COMMANDS.get(instance, (module_of(instance), "serve")),
                ],
                cwd=REPO_ROOT,
                env=self.env(instance),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready(*(instances or SERVICES))

    def wait_ready(self, *instances: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        for instance in instances:
            while True:
                process = self.processes[instance]
                if process.poll() is not None:
                    log = (self.state_dir / f"{instance}.log").read_text()[-3000:]
                    raise RuntimeError(f"{instance} exited with {process.returncode}:\n{log}")
                try:
                    if httpx.get(self.url(instance, "/health/ready"), timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{instance} not ready in {timeout} s")
                time.sleep(0.2)

    def stop(self, *instances: str) -> dict[str, int]:
        codes = {}
        for instance in instances or tuple(self.processes):
            process = self.processes.pop(instance, None)
            if process is None:
                continue
            process.terminate()
            try:
                codes[instance] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[instance] = process.wait()
        return codes

    def url(self, instance: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[instance]}{path}"

    def topic(self, name: str) -> str:
        return f"{self.prefix}{name}"

    async def publish(
        self, topic: str, body: bytes, *, headers: Sequence[tuple[str, bytes]] = ()
    ) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(self.topic(topic), body, headers=list(headers))
        finally:
            await producer.stop()

    async def collect(
        self, topics: Sequence[str], until: Any, *, timeout: float = 30.0
    ) -> list[tuple[str, bytes]]:
        """Read the topics from the beginning until `until(records)` is true or time runs out."""
        consumer = AIOKafkaConsumer(
            *(self.topic(t) for t in topics),
            bootstrap_servers=self.bootstrap,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        records: list[tuple[str, bytes]] = []
        try:
            deadline = time.monotonic() + timeout
            while not until(records) and time.monotonic() < deadline:
                for tp, batch in (await consumer.getmany(timeout_ms=300)).items():
                    prefix_len = len(self.prefix)
                    records += [(tp.topic[prefix_len:], r.value) for r in batch]
        finally:
            await consumer.stop()
        return records

    async def metric_reaches(
        self, service: str, name: str, value: float, *, timeout: float = 20.0, **labels: str
    ) -> float:
        """Poll a metric until it reaches `value` (counting is asynchronous); returns the last."""
        deadline = time.monotonic() + timeout
        while (current := await self.metric(service, name, **labels)) < value:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        return current

    async def metric(self, service: str, name: str, **labels: str) -> float:
        """Sum of a metric's samples whose labels include the given ones."""
        async with httpx.AsyncClient() as client:
            text = (await client.get(self.url(service, "/metrics"))).text
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name + "{") and not line.startswith(name + " "):
                continue
            sample, value = line.rsplit(" ", 1)
            if all(f'{k}="{v}"' in sample for k, v in labels.items()):
                total += float(value)
        return total

    def cpu_seconds(self) -> dict[str, float]:
        """Each running process's CPU time so far, user and system."""
        tick = os.sysconf("SC_CLK_TCK")
        used = {}
        for instance, process in self.processes.items():
            # The command name may hold spaces; the fields after it are fixed (proc(5)).
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[instance] = (int(fields[11]) + int(fields[12])) / tick
        return used

    def peak_rss_mb(self) -> dict[str, float]:
        """Each running process's peak resident memory (VmHWM), in MB."""
        peaks = {}
        for instance, process in self.processes.items():
            status = Path(f"/proc/{process.pid}/status")
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[instance] = int(line.split()[1]) / 1024
        return peaks
