"""The Kafka clients' side of access control: the settings' protocol, principal, password and CA
as aiokafka's keyword arguments and as FastStream's security object (plain by default), and the
brokers' refusal of a service's credentials as an error that says so."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiokafka.errors import (
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    KafkaError,
    SaslAuthenticationFailed,
)
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


# What a broker answers to a wrong user name, password or mechanism.
REFUSALS = (SaslAuthenticationFailed, AuthenticationFailedError, AuthenticationMethodNotSupported)


class CredentialsRefused(KafkaError):
    """The brokers refused the service's credentials: asking again will not help."""

    retriable = False


class _Refusals(logging.Handler):
    """The last refusal of the credentials that aiokafka logged."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: KafkaError | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.args, tuple):
            for arg in record.args:
                if isinstance(arg, REFUSALS):
                    self.last = arg


@contextmanager
def credentials_checked() -> Iterator[None]:
    """A Kafka error raised inside becomes `CredentialsRefused` when a broker refused the
    credentials meanwhile: aiokafka logs each broker's reason but raises only that it could not
    bootstrap, which reads like a network fault and is retried as one."""
    refusals = _Refusals()
    logger = logging.getLogger("aiokafka")
    level, propagate = logger.level, logger.propagate
    if not logger.isEnabledFor(logging.ERROR):
        # Silenced by the program (a command line that says it better): the refusals still
        # reach this handler, and only it.
        logger.setLevel(logging.ERROR)
        logger.propagate = False
    logger.addHandler(refusals)
    try:
        yield
    except (KafkaError, TimeoutError) as error:
        if refusals.last is None or isinstance(error, CredentialsRefused):
            raise
        raise CredentialsRefused(
            f"the Kafka brokers refused this service's credentials ({refusals.last!r}): check "
            "KAFKA_USERNAME, KAFKA_PASSWORD and KAFKA_SASL_MECHANISM"
        ) from error
    finally:
        logger.removeHandler(refusals)
        logger.setLevel(level)
        logger.propagate = propagate
