"""The model artefact is unpickled only when its bytes are the ones its manifest records."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest

from services.triage.artifact import (
    ArtifactRefused,
    TriageModel,
    manifest_path,
    verified_bytes,
    write_manifest,
)
from services.triage.settings import TriageSettings

SHIPPED = TriageSettings().model_path


class _Trap:
    """A pickle that makes a directory when it is unpickled: proof that nothing was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_the_shipped_model_has_a_manifest_that_matches_it() -> None:
    manifest = json.loads(manifest_path(SHIPPED).read_text(encoding="utf-8"))
    assert manifest["artifact"] == SHIPPED.name
    assert verified_bytes(SHIPPED) == SHIPPED.read_bytes()


def test_a_written_manifest_verifies_its_file(tmp_path: Path) -> None:
    artifact = tmp_path / "candidate.joblib"
    artifact.write_bytes(b"some model bytes")
    assert write_manifest(artifact, "tm-x") == tmp_path / "candidate.manifest.json"
    assert verified_bytes(artifact) == b"some model bytes"


def test_a_changed_artefact_is_refused_before_it_is_unpickled(tmp_path: Path) -> None:
    artifact = tmp_path / "model.joblib"
    shutil.copy(SHIPPED, artifact)
    shutil.copy(manifest_path(SHIPPED), manifest_path(artifact))
    marker = tmp_path / "ran"
    artifact.write_bytes(pickle.dumps(_Trap(marker)))
    with pytest.raises(ArtifactRefused, match=r"SHA-256 is \w+, but model\.manifest\.json records"):
        TriageModel.load(artifact)
    assert not marker.exists()


def test_an_artefact_without_a_manifest_is_refused(tmp_path: Path) -> None:
    artifact = tmp_path / "model.joblib"
    marker = tmp_path / "ran"
    artifact.write_bytes(pickle.dumps(_Trap(marker)))
    with pytest.raises(ArtifactRefused, match=r"no manifest model\.manifest\.json"):
        TriageModel.load(artifact)
    assert not marker.exists()


def test_an_unreadable_manifest_is_refused(tmp_path: Path) -> None:
    artifact = tmp_path / "model.joblib"
    artifact.write_bytes(b"x")
    manifest_path(artifact).write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtifactRefused, match=r"unreadable model\.manifest\.json"):
        verified_bytes(artifact)


def test_the_trap_would_run_if_it_were_unpickled(tmp_path: Path) -> None:
    # The test above could not fail if the trap did nothing.
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_Trap(marker)))
    assert marker.is_dir()
