"""What a classifier gives triage, and the catalogue-keyword classifier that needs no training.

A classifier sees a batch of inquiries at once: batched inference is where a model is fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from services.triage.catalogue import Catalogue, Service, fold
from shared.events import Inquiry
from shared.vocabulary import Complexity, Department


@dataclass(frozen=True)
class Classification:
    complexity: Complexity
    department: Department
    confidence: float
    service: Service | None = None
    complexity_evidence: str = ""
    department_evidence: str = ""
    extra: dict[str, float] = field(default_factory=dict)
    # What the model leaned to where it abstained: for the report, never for routing.
    leaning: Complexity | None = None


class Classifier(Protocol):
    version: str

    def classify(self, inquiries: Sequence[Inquiry]) -> list[Classification]: ...


# Words that signal discretion, appeals or an ongoing case, whatever the matter.
SPECIALIST_CUES = tuple(
    fold(w)
    for w in (
        "klage", "klager", "anke", "afgørelse", "afslag", "partshøring", "aktindsigt",
        "sagsbehandler", "min sag", "bekymring", "underretning", "appeal", "complaint",
        "decision", "rejected", "my caseworker", "my case", "concern about",
    )
)  # fmt: skip


def inquiry_text(inquiry: Inquiry) -> str:
    return f"{inquiry.subject or ''}\n{inquiry.text}"


class KeywordClassifier:
    """Catalogue keywords decide the service; specialist cues may raise the complexity."""

    version = "keywords-1"

    def __init__(self, catalogue: Catalogue, *, abstain_below: float = 0.5) -> None:
        self.catalogue = catalogue
        self.abstain_below = abstain_below

    def classify(self, inquiries: Sequence[Inquiry]) -> list[Classification]:
        return [self._one(inquiry_text(i)) for i in inquiries]

    def _one(self, text: str) -> Classification:
        matches = self.catalogue.match(text)
        folded = fold(text)
        cues = [c for c in SPECIALIST_CUES if c in folded]
        if not matches:
            return Classification(
                Complexity.UNDETERMINED,
                Department.OKF,
                0.0,
                complexity_evidence="No service of the catalogue matches the text.",
                department_evidence="No department's matter recognised; Citizen Service (OKF).",
            )
        top = matches[0]
        runner_up = matches[1].score if len(matches) > 1 else 0.0
        confidence = round(top.score / (top.score + runner_up + 0.5), 3)
        service = top.service
        complexity = service.complexity
        if cues and complexity is Complexity.SIMPLE:
            complexity = Complexity.SPECIALIST
        if confidence < self.abstain_below:
            complexity = Complexity.UNDETERMINED
        terms = ", ".join(f"'{t}'" for t in top.terms[:4])
        if complexity is Complexity.UNDETERMINED:
            why = f"Matched '{service.name_en}' only weakly ({confidence:.2f}) by {terms}."
        elif cues:
            why = f"Signals of a specialist matter: {', '.join(cues[:3])}."
        else:
            why = f"'{service.name_en}' is a {service.complexity.value} service ({service.kind})."
        return Classification(
            complexity,
            service.department,
            confidence,
            service=service,
            complexity_evidence=why,
            department_evidence=f"Catalogue match '{service.name_en}' by {terms}.",
        )
