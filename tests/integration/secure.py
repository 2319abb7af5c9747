"""A secured broker of the tests' own (kafkactl SECURE=1) and the four services on it, each as
its own principal: started once per test session, on TEST_SECURE_KAFKA_PORT (TEST_KAFKA_PORT+2).
A secured three-broker cluster of their own too (deploy/kafka/cluster SECURE=1), on
TEST_SECURE_CLUSTER_PORTS, for the one module that uses it."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from benchmarks.broker import KAFKACTL
from benchmarks.chaos.faults import CLUSTER
from benchmarks.pipeline import SERVICES, Pipeline
from shared.kafka_security import client_options
from shared.settings import REPO_ROOT, ServiceSettings
from tests.conftest import TEST_KAFKA_PORT

SECURE_PORT = int(os.environ.get("TEST_SECURE_KAFKA_PORT", str(TEST_KAFKA_PORT + 2)))
# Not the chaos test's cluster (TEST_CLUSTER_PORTS) nor a developer's (19092 ...); below Linux's
# ephemeral range (32768-60999), where a node found its port taken by some client's connection.
SECURE_CLUSTER_PORTS = os.environ.get("TEST_SECURE_CLUSTER_PORTS", "29492 29494 29496")
KAFKA_DIR = Path(os.environ.get("STATE_DIR", REPO_ROOT / ".state")) / "kafka"
SECURE_DIR = KAFKA_DIR / "secure"
# Secrets the pipeline runs with: no log line, metric or error message may show them.
CPR_SALT = "secure-test-salt-0c4f1d9e8b7a"
GATEWAY_KEY = "gateway-key-5b1e0f7c2d9a4e63"
GATEWAY_ADAPTER = "citizen-portal"


@dataclass(frozen=True)
class SecureBroker:
    bootstrap: str
    prefix: str

    @property
    def log_file(self) -> Path:
        return KAFKA_DIR / "logs" / f"server-{SECURE_PORT}.log"

    def passwords(self) -> dict[str, str]:
        return dict(json.loads((SECURE_DIR / "passwords.json").read_text()))

    def env_of(self, principal: str) -> dict[str, str]:
        """The KAFKA_* settings kafkactl wrote for one principal."""
        lines = (SECURE_DIR / "clients" / f"{principal}.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if line)

    def settings_of(self, principal: str) -> ServiceSettings:
        env = self.env_of(principal)
        return ServiceSettings(
            kafka_bootstrap_servers=self.bootstrap,
            kafka_security_protocol=env["KAFKA_SECURITY_PROTOCOL"],
            kafka_username=env["KAFKA_USERNAME"],
            kafka_password=SecretStr(env["KAFKA_PASSWORD"]),
            kafka_ca_file=Path(env["KAFKA_CA_FILE"]),
        )

    def options_of(self, principal: str) -> dict[str, object]:
        return client_options(self.settings_of(principal))


@contextmanager
def started_secure(tool: Path, prefix: str, **settings: str) -> Iterator[dict[str, str]]:
    """`tool` (kafkactl or cluster) up with SECURE=1 on fresh data, the ACLs granted for `prefix`;
    down afterwards. Yields the environment it ran with."""
    env = {
        **os.environ,
        "SECURE": "1",
        "TOPIC_PREFIX": prefix,  # the ACLs are granted for this deployment's names
        **settings,
    }
    subprocess.run([tool, "reset"], env=env, check=True, capture_output=True)
    subprocess.run([tool, "up"], env=env, check=True)
    try:
        yield env
    finally:
        subprocess.run([tool, "down"], env=env, check=False)


@pytest.fixture(scope="session")
def secure_broker() -> Iterator[SecureBroker]:
    prefix = f"sec{uuid.uuid4().hex[:8]}."
    ports = {"KAFKA_PORT": str(SECURE_PORT), "KAFKA_CONTROLLER_PORT": str(SECURE_PORT + 1)}
    with started_secure(KAFKACTL, prefix, **ports):
        yield SecureBroker(f"127.0.0.1:{SECURE_PORT}", prefix)


@pytest.fixture(scope="module")
def secure_cluster() -> Iterator[SecureBroker]:
    """Three secured brokers (deploy/kafka/cluster SECURE=1): the same CA, passwords and client
    files as the single secured broker, so SecureBroker serves for both. Stopped after the
    module that uses it: three JVMs would weigh on the rest of the session."""
    prefix = f"secc{uuid.uuid4().hex[:8]}."
    with started_secure(CLUSTER, prefix, KAFKA_CLUSTER_PORTS=SECURE_CLUSTER_PORTS) as env:
        bootstrap = subprocess.run(
            [CLUSTER, "bootstrap"], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
        yield SecureBroker(bootstrap, prefix)


@pytest.fixture(scope="session")
def secure_pipeline(
    secure_broker: SecureBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    running = Pipeline(
        secure_broker.bootstrap,
        prefix=secure_broker.prefix,
        state_dir=tmp_path_factory.mktemp("secure-pipeline"),
        settings={
            # The level the services run at by default: every line they would log in production.
            "LOG_LEVEL": "INFO",
            "INTAKE_CPR_SALT": CPR_SALT,
            "INTAKE_GATEWAY_ADAPTERS": json.dumps({GATEWAY_ADAPTER: {"key": GATEWAY_KEY}}),
        },
        service_settings={s: secure_broker.env_of(s) for s in SERVICES},
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()
