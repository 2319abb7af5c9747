"""Keys managed while intake runs: `python -m services.intake keys` against the running
service's store, and the gateway answering accordingly without a restart."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import httpx
import pytest

from shared.settings import REPO_ROOT
from tests.integration.intake.conftest import IntakePipeline

pytestmark = pytest.mark.kafka


def keys_command(pipeline: IntakePipeline, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "services.intake", "keys", *args],
        cwd=REPO_ROOT,
        env=pipeline.env("intake"),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def post_until(pipeline: IntakePipeline, key: str, status: int) -> httpx.Response:
    """The gateway reads the keys again every INTAKE_GATEWAY_KEYS_REFRESH_SECONDS (2)."""
    deadline = time.monotonic() + 15
    while True:
        response = httpx.post(
            pipeline.url("intake", "/v1/intake/phone"),
            content=f"Borger ringer om sin parkeringslicens ({uuid.uuid4().hex}).".encode(),
            headers={"X-API-Key": key, "X-Call-Id": f"call-{uuid.uuid4().hex}"},
        )
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


def test_a_key_added_and_revoked_with_the_cli_counts_without_a_restart(
    intake_pipeline: IntakePipeline,
) -> None:
    adapter = f"portal-{uuid.uuid4().hex[:6]}"
    key = keys_command(intake_pipeline, "add", adapter, "--channels", "phone")
    assert key.startswith("itk_")
    assert post_until(intake_pipeline, key, 202).status_code == 202
    keys_command(intake_pipeline, "revoke", adapter)
    assert post_until(intake_pipeline, key, 401).status_code == 401
    assert intake_pipeline.processes["intake"].poll() is None  # the same process all along
