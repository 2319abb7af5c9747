"""The four services as real processes on the real broker, with topics of their own."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.conftest import REPO, free_port

SERVICES = ("intake", "triage", "reply", "metrics")


@dataclass
class Pipeline:
    bootstrap: str
    prefix: str
    state_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "TOPIC_PREFIX": self.prefix,
            "STATE_DIR": str(self.state_dir),
            "ENVIRONMENT": "test",
            "LOG_LEVEL": "WARNING",
            # Intake refuses its placeholder salt outside development.
            "INTAKE_CPR_SALT": "integration-test-salt-not-a-secret",
        }
        env.update({f"{s.upper()}_HTTP_PORT": str(p) for s, p in self.ports.items()})
        return env

    def start(self, *services: str) -> None:
        for service in services or SERVICES:
            self.ports.setdefault(service, free_port())
        env = self.env()
        for service in services or SERVICES:
            log = (self.state_dir / f"{service}.log").open("ab")
            self.processes[service] = subprocess.Popen(
                [sys.executable, "-m", f"services.{service}", "serve"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready(*(services or SERVICES))

    def wait_ready(self, *services: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        for service in services:
            while True:
                process = self.processes[service]
                if process.poll() is not None:
                    log = (self.state_dir / f"{service}.log").read_text()[-3000:]
                    raise RuntimeError(f"{service} exited with {process.returncode}:\n{log}")
                try:
                    if httpx.get(self.url(service, "/health/ready"), timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service} not ready in {timeout} s")
                time.sleep(0.2)

    def stop(self, *services: str) -> dict[str, int]:
        codes = {}
        for service in services or tuple(self.processes):
            process = self.processes.pop(service, None)
            if process is None:
                continue
            process.terminate()
            try:
                codes[service] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[service] = process.wait()
        return codes

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

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


@pytest.fixture(scope="session")
def pipeline(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    running = Pipeline(
        kafka_bootstrap,
        prefix=f"it{uuid.uuid4().hex[:8]}.",
        state_dir=tmp_path_factory.mktemp("pipeline"),
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()
