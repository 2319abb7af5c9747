"""A candidate model beside the live one, and training that gives the same artifact twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from services.triage.artifact import TriageModel
from services.triage.catalogue import Catalogue
from services.triage.classifier import KeywordClassifier, load_classifier, load_shadow
from services.triage.decide import decide_batch
from services.triage.handler import shadow_disagreements
from services.triage.settings import TriageSettings
from shared.events import Inquiry, InquiryTriaged
from shared.vocabulary import Channel, Language
from training.evaluation import corpus_rows, labelled
from training.train import fit

SETTINGS = TriageSettings()


def inquiry(text: str) -> Inquiry:
    return Inquiry(
        channel=Channel.EMAIL,
        channel_message_id=str(uuid.uuid4()),
        received_at=datetime(2026, 11, 23, tzinfo=UTC),
        text=text,
        language=Language.DA,
        thread_key="t",
    )


def test_a_shadow_model_decides_beside_the_live_one_and_its_disagreements_are_named() -> None:
    live = load_classifier(SETTINGS)
    shadow = KeywordClassifier(Catalogue.from_file(SETTINGS.catalogue_path), abstain_below=0.99)
    inquiries = [inquiry("Jeg skal have nyt pas"), inquiry("Vi har rotter i gården")]
    triaged = [
        InquiryTriaged.caused_by(None, producer="triage", inquiry_id=uuid.uuid4(), inquiry=i, decision=d)
        for i, d in zip(inquiries, decide_batch(inquiries, live, SETTINGS), strict=True)
    ]  # fmt: skip
    differences = shadow_disagreements(triaged, shadow, SETTINGS)  # type: ignore[arg-type]
    # The cautious candidate abstains on both: each differs in complexity and queue.
    assert sorted(differences) == ["complexity", "complexity", "queue", "queue"]
    assert shadow_disagreements(triaged, live, SETTINGS) == []  # type: ignore[arg-type]


def test_the_shadow_path_in_settings_loads_a_second_model(tmp_path: Path) -> None:
    assert load_shadow(SETTINGS) is None
    settings = TriageSettings(shadow_model_path=SETTINGS.model_path)
    shadow = load_shadow(settings)
    assert shadow is not None
    assert shadow.version == load_classifier(SETTINGS).version


def test_the_same_training_data_gives_the_same_artifact_bytes(tmp_path: Path) -> None:
    rows = [r for r in corpus_rows() if r["split"] == "train"][:400]
    catalogue = Catalogue.from_file(SETTINGS.catalogue_path)
    train = labelled(rows, "train", catalogue)
    groups = [r["base_id"] for r in rows]
    for name in ("a", "b"):
        model = fit(train, groups, catalogue, version="tm-test", catalogue_digest="x")
        model.save(tmp_path / f"{name}.joblib")
    assert (tmp_path / "a.joblib").read_bytes() == (tmp_path / "b.joblib").read_bytes()
    loaded = TriageModel.load(tmp_path / "a.joblib")
    assert isinstance(loaded, TriageModel)
    assert set(loaded.rule_inputs) == {"written_decision", "self_service"}
