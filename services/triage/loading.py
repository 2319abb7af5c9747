"""Loads the classifiers once, in the lifespan: the shipped model (and a candidate in shadow),
or the catalogue keywords when no model is shipped."""

from __future__ import annotations

import logging
from pathlib import Path

from services.triage.catalogue import Catalogue
from services.triage.classifier import Classifier, KeywordClassifier
from services.triage.settings import TriageSettings

log = logging.getLogger(__name__)


def _load(path: Path, catalogue: Catalogue, settings: TriageSettings) -> Classifier:
    from services.triage.model import ModelClassifier, catalogue_sha

    classifier = ModelClassifier.load(
        path, catalogue, abstain_below=settings.abstain_below, language=settings.reason_language
    )
    if classifier.model.catalogue_sha != catalogue_sha(settings.catalogue_path):
        log.warning(
            "model %s was trained with another version of the catalogue: retrain with make train",
            classifier.version,
        )
    return classifier


def load_classifier(settings: TriageSettings) -> Classifier:
    catalogue = Catalogue.from_file(settings.catalogue_path)
    if settings.model_path.exists():
        return _load(settings.model_path, catalogue, settings)
    log.warning("no model at %s: triaging by catalogue keywords", settings.model_path)
    threshold = 0.5 if settings.abstain_below is None else settings.abstain_below
    return KeywordClassifier(catalogue, abstain_below=threshold, language=settings.reason_language)


def load_shadow(settings: TriageSettings) -> Classifier | None:
    """A candidate model that decides beside the live one without routing anything."""
    if settings.shadow_model_path is None:
        return None
    catalogue = Catalogue.from_file(settings.catalogue_path)
    return _load(settings.shadow_model_path, catalogue, settings)
