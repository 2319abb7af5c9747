"""The saved triage model: what `make train` writes, and its loading. A pickle runs code when it
is loaded, so the bytes are checked against the SHA-256 recorded in a manifest beside the file
(written by `make train`, committed with the model) before anything unpickles them."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer


class ArtifactRefused(Exception):
    """The artefact cannot be trusted: no manifest, an unreadable one, or other bytes."""


@dataclass
class TriageModel:
    """What `make train` ships: vectorisers, two calibrated classifiers, the abstain threshold."""

    version: str
    words: TfidfVectorizer
    chars: TfidfVectorizer
    catalogue_weight: float
    complexity: Any  # calibrated linear SVM and naive Bayes, soft vote
    department: Any
    # P(complexity and department both right) from the two heads' probabilities, fitted on
    # out-of-fold predictions: the heads' errors go together, so their product is too modest.
    confidence: Any
    abstain_below: float
    catalogue_sha: str
    facts: dict[str, Any] = field(default_factory=dict)
    # Per catalogue service, the mean of its training texts' n-gram weights (the strongest few
    # hundred): which service of the decided department and complexity a text is closest to,
    # when the catalogue's own words do not appear in it.
    service_ids: tuple[str, ...] = ()
    service_centroids: Any = None
    # The reply-channel rule's inputs that the words tell, each a binary head of "holds" like
    # complexity's ("written_decision", "self_service"), and per input the probability either
    # way at which the model acts on it rather than fall to the safe side.
    rule_inputs: dict[str, Any] = field(default_factory=dict)
    rule_input_sure: dict[str, float] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        for vectoriser in (self.words, self.chars):
            # The memory address of the stop-word list, noted at transform time: it would make
            # two builds of the same model differ by a byte.
            if hasattr(vectoriser, "_stop_words_id"):
                del vectoriser._stop_words_id
        joblib.dump(self, path, compress=("zlib", 6))
        write_manifest(path, self.version)

    @staticmethod
    def load(path: Path) -> TriageModel:
        """Unpickles the artefact only after its bytes match its manifest's SHA-256
        (`ArtifactRefused` otherwise)."""
        model = joblib.load(io.BytesIO(verified_bytes(path)))
        if not isinstance(model, TriageModel):
            raise TypeError(f"{path} holds a {type(model).__name__}, not a TriageModel")
        return model


def catalogue_sha(path: Path) -> str:
    """The catalogue a model was trained with, as recorded in it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


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
