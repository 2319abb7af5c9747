"""The model artefact's integrity: a pickle runs code when it is loaded, so the bytes are checked
against the SHA-256 recorded in a manifest beside the file (written by `make train`, committed
with the model) before anything unpickles them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


class ArtifactRefused(Exception):
    """The artefact cannot be trusted: no manifest, an unreadable one, or other bytes."""


def manifest_path(artifact: Path) -> Path:
    """`model.joblib` -> `model.manifest.json`, beside it."""
    return artifact.with_name(f"{artifact.stem}.manifest.json")


def write_manifest(artifact: Path, version: str) -> Path:
    path = manifest_path(artifact)
    data = artifact.read_bytes()
    manifest = {
        "artifact": artifact.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "model_version": version,
    }
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def verified_bytes(artifact: Path) -> bytes:
    """The artefact's bytes, read once, after checking them against the manifest: load from
    these bytes, not from the file again."""
    path = manifest_path(artifact)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        expected = str(manifest["sha256"]).lower()
    except FileNotFoundError:
        raise ArtifactRefused(
            f"refusing to load {artifact}: no manifest {path.name} beside it records its SHA-256 "
            "(make train writes one)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ArtifactRefused(
            f"refusing to load {artifact}: unreadable {path.name}: {error}"
        ) from None
    data = artifact.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ArtifactRefused(
            f"refusing to load {artifact}: its SHA-256 is {actual}, but {path.name} records "
            f"{expected}; the file is not the one make train wrote"
        )
    return data
