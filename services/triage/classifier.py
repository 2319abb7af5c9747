"""The classifiers triage runs, and what they give: the trained model's, which predicts a batch's
complexity, department and the reply-channel rule's inputs and abstains below its threshold; or
the catalogue keywords', when no model is shipped. A classifier sees a batch of inquiries at once:
batched inference is where a model is fast.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from services.triage.artifact import TriageModel, catalogue_sha
from services.triage.catalogue import Catalogue, Match, Service, fold
from services.triage.citizen_words import citizen_words
from services.triage.features import (
    DECIDED,
    DEPARTMENTS,
    CharGrams,
    WordGrams,
    catalogue_matches,
    feature_rows,
)
from services.triage.heads import LinearHeads
from services.triage.phrases import say
from services.triage.reasons import WeighedWords, complexity_reason, department_reason
from services.triage.settings import TriageSettings
from shared.events import Inquiry
from shared.vocabulary import Complexity, Department, Language

log = logging.getLogger(__name__)

CLASSIFY_CHUNK = 100  # inquiries a model call


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


@dataclass(frozen=True)
class Probabilities:
    """The calibrated probabilities of one batch, before any abstaining."""

    complexity: np.ndarray  # (n, 2), columns in `complexity_classes`
    department: np.ndarray  # (n, 7), columns in `department_classes`
    complexity_classes: tuple[Complexity, ...]
    department_classes: tuple[Department, ...]
    # How likely both the complexity and the department are right.
    decision_confidence: np.ndarray
    # Per rule input, the probability that it holds, (n,).
    rule_inputs: dict[str, np.ndarray] = field(default_factory=dict)


class ModelClassifier:
    """The `Classifier` triage runs: a trained `TriageModel` and the live catalogue."""

    def __init__(
        self,
        model: TriageModel,
        catalogue: Catalogue,
        *,
        abstain_below: float | None = None,
        terms_shown: int = 3,
        language: Language = Language.DA,
    ) -> None:
        self.model = model
        self.language = language
        self.catalogue = catalogue
        self.version = model.version
        self.abstain_below = model.abstain_below if abstain_below is None else abstain_below
        self.weighed_words = WeighedWords(model, terms_shown=terms_shown)
        self._words = WordGrams(model.words)
        self._chars = CharGrams(model.chars)
        self._heads = LinearHeads(
            model.complexity, model.department, model.confidence, model.rule_inputs
        )
        # Transposed and padded to every feature once: turning it for each batch cost more
        # than the product.
        self._centroids = None
        # Per (department, complexity, with a link): the services `_closest` chooses among.
        self._candidates: dict[tuple[Department, Complexity, bool], Candidates] = {}
        if model.service_centroids is not None:
            columns = model.service_centroids.T.tocsr()
            padding = sp.csr_matrix((len(DEPARTMENTS) + len(DECIDED), columns.shape[1]))
            self._centroids = sp.vstack([columns, padding], format="csr")

    @classmethod
    def load(
        cls,
        path: Path,
        catalogue: Catalogue,
        *,
        abstain_below: float | None = None,
        language: Language = Language.DA,
    ) -> ModelClassifier:
        model = TriageModel.load(path)
        return cls(model, catalogue, abstain_below=abstain_below, language=language)

    def probabilities(
        self, inquiries: Sequence[Inquiry]
    ) -> tuple[Probabilities, sp.csr_matrix, list[list[Match]]]:
        prepared = [citizen_words(i.subject, i.text) for i in inquiries]
        matches = catalogue_matches(self.catalogue, prepared)
        words, chars = self._words(prepared), self._chars(prepared)
        x = feature_rows(words, chars, matches, self.model.catalogue_weight)
        complexity, department, confidence, rule_inputs = self._heads.probabilities(x)
        return (
            Probabilities(
                complexity=complexity,
                department=department,
                complexity_classes=tuple(Complexity(c) for c in self.model.complexity.classes_),
                department_classes=tuple(Department(c) for c in self.model.department.classes_),
                decision_confidence=confidence,
                rule_inputs=rule_inputs,
            ),
            x,
            matches,
        )

    def classify(self, inquiries: Sequence[Inquiry]) -> list[Classification]:
        # A batch's n-gram arrays grow with its text: chunks keep the process's peak memory
        # down for little more CPU than the whole batch (docs/performance.md).
        return [
            classification
            for start in range(0, len(inquiries), CLASSIFY_CHUNK)
            for classification in self._classify(inquiries[start : start + CLASSIFY_CHUNK])
        ]

    def _classify(self, inquiries: Sequence[Inquiry]) -> list[Classification]:
        if not inquiries:
            return []
        found, x, all_matches = self.probabilities(inquiries)
        confidence = found.decision_confidence
        complexities = found.complexity.argmax(axis=1)
        departments = found.department.argmax(axis=1)
        terms = self.weighed_words(inquiries, x, complexities, departments)
        classes = [
            (found.complexity_classes[cx], found.department_classes[dep])
            for cx, dep in zip(complexities.tolist(), departments.tolist(), strict=True)
        ]
        department_matches = [
            [m for m in found_matches if m.service.department is department]
            for found_matches, (_, department) in zip(all_matches, classes, strict=True)
        ]
        services = [
            next((m for m in matches if m.service.complexity is complexity), None)
            for matches, (complexity, _) in zip(department_matches, classes, strict=True)
        ]
        written = self._judgements(found.rule_inputs, "written_decision", len(inquiries))
        self_service = self._judgements(found.rule_inputs, "self_service", len(inquiries))
        # A service named by its wording: a specialist one, whose caseworker the reasons name,
        # and a simple one where the self-service head is sure there is a self-service answer
        # and the catalogue's words named none with a link (the closest service with a link).
        unnamed = [
            i
            for i, (service, (complexity, _)) in enumerate(zip(services, classes, strict=True))
            if (service is None and complexity is Complexity.SPECIALIST)
            or (
                complexity is Complexity.SIMPLE
                and (service is None or service.service.self_service is None)
                and _sure_yes(self_service[i])
            )
        ]
        for i, closest in zip(unnamed, self._closest(x, unnamed, classes), strict=True):
            services[i] = closest or services[i]
        results = []
        for i, (complexity_terms, department_terms) in enumerate(terms):
            complexity, department = classes[i]
            p_complexity = float(found.complexity[i, complexities[i]])
            p_department = float(found.department[i, departments[i]])
            matches, service = department_matches[i], services[i]
            sure = confidence[i] >= self.abstain_below
            results.append(
                Classification(
                    complexity if sure else Complexity.UNDETERMINED,
                    department,
                    round(float(confidence[i]), 4),
                    service=service.service if service and sure else None,
                    complexity_evidence=complexity_reason(
                        complexity, p_complexity, complexity_terms, service, sure=sure,
                        confidence=float(confidence[i]), threshold=self.abstain_below,
                        language=self.language,
                    ),
                    department_evidence=department_reason(
                        department, p_department, department_terms, matches[:1], self.language
                    ),
                    extra={"p_complexity": p_complexity, "p_department": p_department},
                    leaning=complexity,
                    written_decision=written[i],
                    self_service=self_service[i],
                )
            )  # fmt: skip
        return results

    def _judgements(
        self, probabilities: dict[str, np.ndarray], name: str, n: int
    ) -> list[Judgement | None]:
        """Per inquiry, a rule input's judgement, sure when its probability either way reaches
        the input's level; None for all when the model has no such head."""
        if name not in probabilities:
            return [None] * n
        level = self.model.rule_input_sure[name]
        return [
            Judgement(round(p, 4), max(p, 1 - p) >= level) for p in probabilities[name].tolist()
        ]

    def _closest(
        self,
        x: sp.csr_matrix,
        rows: Sequence[int],
        classes: Sequence[tuple[Complexity, Department]],
    ) -> list[Match | None]:
        """Per row of `x`, the service of its department and complexity whose training texts
        are most alike (with a self-service link for a simple one); the first of equals, none
        if none is alike."""
        centroids = self._centroids
        if centroids is None:
            return [None] * len(rows)
        by_candidates: dict[tuple[Department, Complexity, bool], list[int]] = {}
        for i in rows:
            complexity, department = classes[i]
            key = (department, complexity, complexity is Complexity.SIMPLE)
            by_candidates.setdefault(key, []).append(i)
        closest: dict[int, Match | None] = {}
        for key, chosen in by_candidates.items():
            candidates = self._candidates_for(key, centroids)
            if not candidates.services:
                continue
            # Only the candidates' columns: the n-grams most texts share weigh in nearly every
            # service's centroid, and a product with all of them works mostly for services
            # this inquiry cannot be given.
            closeness = self._closeness(x, chosen, candidates)
            for i, best, score in zip(
                chosen, closeness.argmax(axis=1).tolist(), closeness.max(axis=1).tolist(),
                strict=True,
            ):  # fmt: skip
                closest[i] = Match(candidates.services[best], 0.0, ()) if score > 0.0 else None
        return [closest.get(i) for i in rows]

    def _closeness(
        self, x: sp.csr_matrix, rows: Sequence[int], candidates: Candidates
    ) -> np.ndarray:
        """Of these rows of `x`, how alike each is to each candidate's training texts."""
        # `rows` are ascending: all of them are `x` itself, and one inquiry a call is the
        # common case that would otherwise pay for a copy.
        chosen = x if len(rows) == x.shape[0] else x[rows]
        return np.asarray((chosen @ candidates.centroids).toarray())

    def _candidates_for(
        self, key: tuple[Department, Complexity, bool], centroids: sp.csr_matrix
    ) -> Candidates:
        """The services of this department and complexity (with a self-service link, if
        asked), and their columns of `centroids`; once a key."""
        department, complexity, with_link = key
        if key not in self._candidates:
            found = [
                (column, service)
                for column, service_id in enumerate(self.model.service_ids)
                if (service := self.catalogue.by_id.get(service_id)) is not None
                and service.department is department
                and service.complexity is complexity
                and (service.self_service is not None or not with_link)
            ]
            columns = np.array([column for column, _ in found], dtype=np.intp)
            self._candidates[key] = Candidates(
                columns, [s for _, s in found], centroids[:, columns]
            )
        return self._candidates[key]


@dataclass(frozen=True)
class Candidates:
    """The services one (department, complexity, with a link) chooses among: their columns
    among the model's centroids, and those centroids, a feature a row."""

    columns: np.ndarray
    services: list[Service]
    centroids: sp.csr_matrix


def _sure_yes(judgement: Judgement | None) -> bool:
    return judgement is not None and judgement.sure and judgement.holds


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


def load_classifier(settings: TriageSettings) -> Classifier:
    """The shipped model, or the catalogue keywords when no model is shipped."""
    catalogue = Catalogue.from_file(settings.catalogue_path)
    if settings.model_path.exists():
        return _load_model(settings.model_path, catalogue, settings)
    log.warning("no model at %s: triaging by catalogue keywords", settings.model_path)
    threshold = 0.5 if settings.abstain_below is None else settings.abstain_below
    return KeywordClassifier(catalogue, abstain_below=threshold, language=settings.reason_language)


def load_shadow(settings: TriageSettings) -> Classifier | None:
    """A candidate model that decides beside the live one without routing anything."""
    if settings.shadow_model_path is None:
        return None
    catalogue = Catalogue.from_file(settings.catalogue_path)
    return _load_model(settings.shadow_model_path, catalogue, settings)


def _load_model(path: Path, catalogue: Catalogue, settings: TriageSettings) -> ModelClassifier:
    classifier = ModelClassifier.load(
        path, catalogue, abstain_below=settings.abstain_below, language=settings.reason_language
    )
    if classifier.model.catalogue_sha != catalogue_sha(settings.catalogue_path):
        log.warning(
            "model %s was trained with another version of the catalogue: retrain with make train",
            classifier.version,
        )
    return classifier
