"""The Kafka clients' side of access control: the settings' protocol, principal, password and CA
as aiokafka's keyword arguments and as FastStream's security object. Plain by default."""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLScram512

from shared.settings import ServiceSettings


def tls_context(settings: ServiceSettings) -> ssl.SSLContext:
    """Verifies the broker's certificate and host name against the deployment's own CA."""
    return create_ssl_context(cafile=str(settings.kafka_ca_file))


def broker_security(settings: ServiceSettings) -> BaseSecurity | None:
    """FastStream's security for the services' brokers (None: a plain broker)."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    return SASLScram512(
        settings.kafka_username,
        settings.kafka_password.get_secret_value(),
        ssl_context=tls_context(settings),
    )


def client_options(settings: ServiceSettings) -> dict[str, Any]:
    """Keyword arguments for aiokafka's own clients (admin, consumers, producers)."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return {"bootstrap_servers": settings.kafka_bootstrap_servers}
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": settings.kafka_sasl_mechanism,
        "sasl_plain_username": settings.kafka_username,
        "sasl_plain_password": settings.kafka_password.get_secret_value(),
        "ssl_context": tls_context(settings),
    }
