"""The SMTP receiver over a real socket with STARTTLS configured: no mail before TLS, mail for
the municipality's addresses only (no open relay), a size limit (552), accepted after TLS."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import subprocess
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from services.intake.settings import IntakeSettings
from services.intake.smtp import MunicipalMailbox, start_smtp
from shared.settings import REPO_ROOT
from tests.conftest import free_port

MAIL = b"From: a@example.dk\r\nTo: borgerservice@kk.dk\r\nSubject: Pas\r\n\r\nHej, mit pas er udloebet.\r\n"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA and a certificate for 127.0.0.1, made by the project's own script."""
    directory = tmp_path_factory.mktemp("certs")
    subprocess.run([REPO_ROOT / "deploy" / "kafka" / "certs", directory], check=True)
    return directory


def exchange(port: int, ca: Path, *, tls: bool, to: str, body: bytes) -> object:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        if tls:
            client.starttls(context=ssl.create_default_context(cafile=str(ca)))
        try:
            return client.sendmail("a@example.dk", [to], body)
        except smtplib.SMTPResponseException as error:
            return error.smtp_code
        except smtplib.SMTPRecipientsRefused as error:
            return error.recipients[to][0]


async def test_starttls_is_required_and_the_receiver_is_no_open_relay(certificates: Path) -> None:
    port = free_port()
    settings = IntakeSettings(
        smtp_tls_cert_file=certificates / "broker.pem",
        smtp_recipients=["borgerservice@kk.dk"],
        smtp_max_bytes=10_000,
    )
    published: list[bytes] = []

    async def publish(body: bytes, headers: dict[str, str]) -> None:
        published.append(body)

    server = await start_smtp(
        settings, MunicipalMailbox(settings.smtp_recipients, publish, CollectorRegistry()), port
    )
    ca = certificates / "ca.pem"
    try:
        plain = await asyncio.to_thread(
            exchange, port, ca, tls=False, to="borgerservice@kk.dk", body=MAIL
        )
        relay = await asyncio.to_thread(
            exchange, port, ca, tls=True, to="someone@elsewhere.example", body=MAIL
        )
        too_big = await asyncio.to_thread(
            exchange, port, ca, tls=True, to="borgerservice@kk.dk", body=MAIL + b"x" * 20_000
        )
        accepted = await asyncio.to_thread(
            exchange, port, ca, tls=True, to="borgerservice@kk.dk", body=MAIL
        )
    finally:
        server.close()
        await server.wait_closed()
    assert plain == 530  # "Must issue a STARTTLS command first"
    assert relay == 550
    assert too_big == 552
    assert accepted == {}
    assert published == [MAIL]
