"""Secrets in settings: refused when empty or a known placeholder, and never shown.

Pydantic's SecretStr keeps a value out of reprs, logs and validation errors; these checks keep a
deployment from starting with a secret anybody can guess."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

PLACEHOLDERS = frozenset({"", "change-me", "changeme", "secret", "password", "placeholder"})


def refuse_placeholder(variable: str, value: SecretStr | str, *, min_chars: int = 1) -> None:
    """Raise ValueError naming the variable (never the value) if the secret is unusable."""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if text.strip().lower() in PLACEHOLDERS or len(text) < min_chars:
        raise ValueError(
            f"{variable} must be set to a secret of at least {max(min_chars, 1)} characters "
            "that is not a placeholder"
        )


def check_kafka_credentials(username: str, password: SecretStr, ca_file: Path | None) -> None:
    """SASL over TLS needs a principal, its password and the CA that signed the broker."""
    if not username:
        raise ValueError("KAFKA_USERNAME must name the service's principal with SASL_SSL")
    refuse_placeholder("KAFKA_PASSWORD", password)
    if ca_file is None or not ca_file.is_file():
        raise ValueError(f"KAFKA_CA_FILE must name the broker's CA certificate file ({ca_file})")
