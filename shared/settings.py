"""Settings every service process shares; each service subclasses them with its own fields.

Common variables are read without a prefix (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL, ...);
a service's own ones carry its name (TRIAGE_HTTP_PORT, INTAKE_CPR_SALT, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.secrets import check_kafka_credentials

REPO_ROOT = Path(__file__).resolve().parent.parent


def common(name: str, **kwargs: object) -> object:
    """A field read from one un-prefixed environment variable, whatever the service."""
    return Field(validation_alias=AliasChoices(name), **kwargs)  # type: ignore[call-overload]


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = common(  # type: ignore[assignment]
        "ENVIRONMENT", default="development"
    )
    kafka_bootstrap_servers: str = common(  # type: ignore[assignment]
        "KAFKA_BOOTSTRAP_SERVERS", default="127.0.0.1:9092"
    )
    # A secured broker (docs/security.md): SASL/SCRAM over TLS, one principal per service.
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_SSL"] = common(  # type: ignore[assignment]
        "KAFKA_SECURITY_PROTOCOL", default="PLAINTEXT"
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512"] = common(  # type: ignore[assignment]
        "KAFKA_SASL_MECHANISM", default="SCRAM-SHA-512"
    )
    kafka_username: str = common("KAFKA_USERNAME", default="")  # type: ignore[assignment]
    kafka_password: SecretStr = common(  # type: ignore[assignment]
        "KAFKA_PASSWORD", default=SecretStr("")
    )
    kafka_ca_file: Path | None = common("KAFKA_CA_FILE", default=None)  # type: ignore[assignment]
    topic_prefix: str = common("TOPIC_PREFIX", default="")  # type: ignore[assignment]
    topic_partitions: int = common("TOPIC_PARTITIONS", default=3, ge=1)  # type: ignore[assignment]
    topic_retention_ms: int = common(  # type: ignore[assignment]
        "TOPIC_RETENTION_MS", default=7 * 24 * 3600 * 1000
    )
    # 1 on the single development broker; 3 and 2 on a cluster (docs/reliability.md): an
    # acknowledged record is then on two brokers at least, and one broker may be down.
    topic_replication_factor: int = common(  # type: ignore[assignment]
        "TOPIC_REPLICATION_FACTOR", default=1, ge=1
    )
    topic_min_insync_replicas: int = common(  # type: ignore[assignment]
        "TOPIC_MIN_INSYNC_REPLICAS", default=1, ge=1
    )
    # The raw topics hold what citizens sent before intake masks it (CPR numbers in clear): kept
    # only as long as intake may need to read them again (docs/privacy.md).
    raw_topic_retention_ms: int = common(  # type: ignore[assignment]
        "RAW_TOPIC_RETENTION_MS", default=24 * 3600 * 1000, gt=0
    )
    state_dir: Path = common("STATE_DIR", default=REPO_ROOT / ".state")  # type: ignore[assignment]
    database_url: str | None = common("DATABASE_URL", default=None)  # type: ignore[assignment]
    log_level: str = common("LOG_LEVEL", default="INFO")  # type: ignore[assignment]
    # json: one JSON object a line (shared/logs.py), for a log collector; text for a terminal.
    log_format: Literal["text", "json"] = common(  # type: ignore[assignment]
        "LOG_FORMAT", default="text"
    )
    # Traces are exported by OTLP to this collector (shared/tracing.py); unset: no tracing.
    otel_exporter_otlp_endpoint: str | None = common(  # type: ignore[assignment]
        "OTEL_EXPORTER_OTLP_ENDPOINT", default=None
    )
    # Which of a service's running copies this process is (deploy/pipeline numbers them 1, 2 ...):
    # stable across restarts, unique among live copies, so that state owned by one copy (a
    # transactional producer, e-mails being sent) is recognised when that copy comes back.
    instance_id: str = common("INSTANCE_ID", default="1")  # type: ignore[assignment]

    http_host: str = "127.0.0.1"
    http_port: int = 0
    consumer_group: str = ""
    # Batches amortise the broker round trip: one confirmed publish per batch, then the commit.
    batch_max_records: int = 500
    batch_timeout_ms: int = 20
    # How much a fetch gathers before the broker answers (Kafka's fetch.min.bytes), and how long
    # the broker may hold it for that (fetch.max.wait.ms). Intake and triage, on the path an
    # inquiry waits on to reach its queue, take whatever has arrived.
    batch_min_bytes: int = Field(1, ge=1)
    batch_max_wait_ms: int = Field(500, ge=0)
    # Off only for handler tests on FastStream's in-memory broker, which has no topics to create.
    provision_topics: bool = True
    # A batch's outputs and offsets in one Kafka transaction (shared/delivery.py); off only for
    # the in-memory broker, which has no transactions: then at least once.
    kafka_transactions: bool = common(  # type: ignore[assignment]
        "KAFKA_TRANSACTIONS", default=True
    )
    # How long a dead instance's open transaction can hold back read_committed readers of its
    # partitions, unless its restart aborts it sooner; a live batch's transaction (the sends and
    # the commit, not the handling) must finish within it (docs/reliability.md).
    transaction_timeout_ms: int = common(  # type: ignore[assignment]
        "KAFKA_TRANSACTION_TIMEOUT_MS", default=10_000, ge=1000
    )
    # A failing handler: tries before a batch is split and before a record is dead-lettered,
    # and the back-off between them (doubling, with jitter, up to the maximum).
    handler_attempts: int = common("HANDLER_ATTEMPTS", default=3, ge=1)  # type: ignore[assignment]
    retry_backoff_ms: int = common("RETRY_BACKOFF_MS", default=200, ge=0)  # type: ignore[assignment]
    retry_backoff_max_ms: int = common(  # type: ignore[assignment]
        "RETRY_BACKOFF_MAX_MS", default=10_000, ge=0
    )

    @model_validator(mode="after")
    def _refuse_incomplete_credentials(self) -> ServiceSettings:
        if self.kafka_security_protocol == "SASL_SSL":
            check_kafka_credentials(self.kafka_username, self.kafka_password, self.kafka_ca_file)
        return self

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"{self.topic_prefix}{self.service_name}"

    def sqlalchemy_url(self) -> str:
        """The database: PostgreSQL by DATABASE_URL in production, else a SQLite file of its own."""
        if self.database_url:
            return self.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.state_dir / f'{self.topic_prefix}{self.service_name}.db'}"


class DownstreamSettings(ServiceSettings):
    """A service downstream of the queues (reply, metrics): nothing a caseworker waits for hangs
    on its first quarter of a second, so it gathers larger batches. Each batch's fixed cost (the
    fetch, the transaction, the commit) is then shared by more events, and on a machine the four
    services share, intake and triage get the processor when an inquiry is on its way to a queue
    (p99 at 500 inquiries a second: 580-980 ms taking what has arrived, 240-400 ms gathering;
    docs/performance.md)."""

    batch_min_bytes: int = Field(256 * 1024, ge=1)
    batch_max_wait_ms: int = Field(250, ge=0)
