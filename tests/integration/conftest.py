"""The four services as real processes on the real broker, with topics of their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from benchmarks.pipeline import Pipeline
from tests.integration.secure import secure_broker, secure_pipeline

__all__ = ["Pipeline", "secure_broker", "secure_pipeline"]


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
