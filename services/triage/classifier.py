"""What a classifier gives triage, and the catalogue-keyword classifier that needs no training.

A classifier sees a batch of inquiries at once: batched inference is where a model is fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from services.triage.catalogue import Catalogue, Service, fold
from services.triage.phrases import say
from shared.events import Inquiry
from shared.vocabulary import Complexity, Department, Language


@dataclass(frozen=True)
class Judgement:
    """An input of the reply-channel rule as a model judged it: the probability that it holds,
    and whether the model is sure enough either way to act on it."""

    probability: float
    sure: bool

    @property
    def holds(self) -> bool:
        return self.probability >= 0.5


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
    # The rule's inputs as the model judged them from the words; None: the catalogue service
    # alone tells (the keyword classifier).
    written_decision: Judgement | None = None
    self_service: Judgement | None = None


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

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        abstain_below: float = 0.5,
        language: Language = Language.DA,
    ) -> None:
        self.catalogue = catalogue
        self.abstain_below = abstain_below
        self.language = language

    def classify(self, inquiries: Sequence[Inquiry]) -> list[Classification]:
        return [self._one(inquiry_text(i)) for i in inquiries]

    def _one(self, text: str) -> Classification:
        language = self.language
        matches = self.catalogue.match(text)
        folded = fold(text)
        cues = [c for c in SPECIALIST_CUES if c in folded]
        if not matches:
            return Classification(
                Complexity.UNDETERMINED,
                Department.OKF,
                0.0,
                complexity_evidence=say("keywords.none", language),
                department_evidence=say("keywords.no_department", language),
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
        name = service.name_en if language is Language.EN else service.name_da
        if complexity is Complexity.UNDETERMINED:
            why = say("keywords.weak", language, name=name, confidence=confidence, terms=terms)
        elif cues:
            why = say("keywords.cues", language, cues=", ".join(cues[:3]))
        else:
            why = say(
                "keywords.service",
                language,
                name=name,
                complexity=service.complexity.value,
                matter=say(service.complexity.value, language),
                kind=service.kind,
            )
        return Classification(
            complexity,
            service.department,
            confidence,
            service=service,
            complexity_evidence=why,
            department_evidence=say("keywords.department", language, name=name, terms=terms),
        )
