"""The broker the benchmark runs against: the one KAFKA_BOOTSTRAP_SERVERS names, or a fresh
single-node Kafka of its own on another port (deploy/kafka/kafkactl), stopped afterwards."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from shared.settings import REPO_ROOT

KAFKACTL = REPO_ROOT / "deploy" / "kafka" / "kafkactl"


def kafka_version() -> str:
    done = subprocess.run([KAFKACTL, "version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


@contextmanager
def broker(bootstrap: str | None, port: int) -> Iterator[str]:
    if bootstrap:
        yield bootstrap
        return
    env = {**os.environ, "KAFKA_PORT": str(port), "KAFKA_CONTROLLER_PORT": str(port + 1)}
    # A fresh data dir: topics and offsets of an earlier run would only slow the broker down.
    subprocess.run([KAFKACTL, "reset"], env=env, check=True, capture_output=True)
    subprocess.run([KAFKACTL, "up"], env=env, check=True)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([KAFKACTL, "down"], env=env, check=False)
