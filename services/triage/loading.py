"""Loads the classifier once: the trained model when one is shipped, else catalogue keywords."""

from __future__ import annotations

from services.triage.catalogue import Catalogue
from services.triage.classifier import Classifier, KeywordClassifier
from services.triage.settings import TriageSettings


def load_classifier(settings: TriageSettings) -> Classifier:
    catalogue = Catalogue.from_file(settings.catalogue_path)
    return KeywordClassifier(catalogue, abstain_below=settings.abstain_below)
