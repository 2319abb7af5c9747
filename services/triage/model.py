"""The trained triage model: word and character n-grams and the catalogue match, into calibrated
linear models for complexity and department; abstains below a threshold chosen on validation.

`training/train.py` builds a `TriageModel` and writes it with joblib; the service loads it once
and classifies a whole consumer batch with one vectorisation.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

from services.triage.catalogue import Catalogue, Match, fold
from services.triage.classifier import Classification
from services.triage.wording import citizen_words
from shared.events import Inquiry
from shared.vocabulary import Complexity, Department

log = logging.getLogger(__name__)

DEPARTMENT_NAMES = {
    Department.OKF: "Finance",
    Department.KFF: "Culture and Leisure",
    Department.BUF: "Children and Youth",
    Department.SUF: "Health and Care",
    Department.SOF: "Social Services",
    Department.TMF: "Technical and Environmental",
    Department.BIF: "Employment and Integration",
}
DEPARTMENTS = tuple(Department)
DECIDED = (Complexity.SIMPLE, Complexity.SPECIALIST)
_WORD = re.compile(r"\w+")
# Words that carry grammar, not a matter: the model may weigh them, a reason does not name them.
_NOT_EVIDENCE = frozenset(
    fold(w)
    for w in (
        "and", "are", "but", "can", "could", "did", "does", "for", "from", "have", "how", "may",
        "not", "our", "please", "that", "the", "this", "was", "what", "when", "where", "who",
        "why", "will", "with", "would", "you", "your", "alle", "blev", "bliver", "det", "den",
        "der", "dem", "din", "dit", "eller", "efter", "for", "fra", "gerne", "har", "have",
        "hej", "hvad", "hvem", "hvis", "hvor", "hvordan", "hvornår", "ikke", "jeg", "kan",
        "kunne", "man", "med", "men", "mig", "min", "mit", "mine", "også", "om", "over",
        "på", "sig", "skal", "som", "til", "uden", "ved", "vil", "vi", "være", "været",
    )
)  # fmt: skip


def catalogue_matches(catalogue: Catalogue, prepared: Sequence[str]) -> list[list[Match]]:
    return [catalogue.match_folded(text, best=None) for text in prepared]


def catalogue_evidence(matches: Sequence[Sequence[Match]]) -> sp.csr_matrix:
    """Per text: how strongly the catalogue's words point at each department and complexity."""
    rows = np.zeros((len(matches), len(DEPARTMENTS) + len(DECIDED)), dtype=np.float64)
    for i, found in enumerate(matches):
        for match in found:
            strength = math.log1p(match.score)
            column = DEPARTMENTS.index(match.service.department)
            rows[i, column] = max(rows[i, column], strength)
            column = len(DEPARTMENTS) + DECIDED.index(match.service.complexity)
            rows[i, column] = max(rows[i, column], strength)
    return sp.csr_matrix(rows)


def confidence_features(complexity: np.ndarray, department: np.ndarray) -> np.ndarray:
    """The log-odds of each head's top class, the evidence the decision confidence is made of."""
    top = np.column_stack([complexity.max(axis=1), department.max(axis=1)])
    top = np.clip(top, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(top / (1 - top)))


def catalogue_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


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

    def features(
        self,
        catalogue: Catalogue,
        prepared: Sequence[str],
        matches: Sequence[Sequence[Match]] | None = None,
    ) -> sp.csr_matrix:
        found = catalogue_matches(catalogue, prepared) if matches is None else matches
        return sp.hstack(
            [
                self.words.transform(prepared),
                self.chars.transform(prepared),
                catalogue_evidence(found) * self.catalogue_weight,
            ],
            format="csr",
        )

    def decision_confidence(self, complexity: np.ndarray, department: np.ndarray) -> np.ndarray:
        features = confidence_features(complexity, department)
        return np.asarray(self.confidence.predict_proba(features)[:, 1])

    def save(self, path: Path) -> None:
        for vectoriser in (self.words, self.chars):
            # The memory address of the stop-word list, noted at transform time: it would make
            # two builds of the same model differ by a byte.
            if hasattr(vectoriser, "_stop_words_id"):
                del vectoriser._stop_words_id
        joblib.dump(self, path, compress=("zlib", 6))

    @staticmethod
    def load(path: Path) -> TriageModel:
        model = joblib.load(path)
        if not isinstance(model, TriageModel):
            raise TypeError(f"{path} holds a {type(model).__name__}, not a TriageModel")
        return model


@dataclass(frozen=True)
class Probabilities:
    """The calibrated probabilities of one batch, before any abstaining."""

    complexity: np.ndarray  # (n, 2), columns in `complexity_classes`
    department: np.ndarray  # (n, 7), columns in `department_classes`
    complexity_classes: tuple[Complexity, ...]
    department_classes: tuple[Department, ...]
    # How likely both the complexity and the department are right.
    decision_confidence: np.ndarray


class ModelClassifier:
    """The `Classifier` triage runs: a trained `TriageModel` and the live catalogue."""

    def __init__(
        self,
        model: TriageModel,
        catalogue: Catalogue,
        *,
        abstain_below: float | None = None,
        terms_shown: int = 3,
    ) -> None:
        self.model = model
        self.catalogue = catalogue
        self.version = model.version
        self.abstain_below = model.abstain_below if abstain_below is None else abstain_below
        self.terms_shown = terms_shown
        self._names = np.array(
            [*model.words.get_feature_names_out(), *model.chars.get_feature_names_out()],
            dtype=object,
        )
        self._n_words = len(model.words.vocabulary_)
        self._n_text = len(self._names)
        self._complexity_coef = _linear_coef(model.complexity)
        self._department_coef = _linear_coef(model.department)

    @classmethod
    def load(
        cls, path: Path, catalogue: Catalogue, *, abstain_below: float | None = None
    ) -> ModelClassifier:
        model = TriageModel.load(path)
        return cls(model, catalogue, abstain_below=abstain_below)

    def probabilities(
        self, inquiries: Sequence[Inquiry]
    ) -> tuple[Probabilities, sp.csr_matrix, list[list[Match]]]:
        prepared = [citizen_words(i.subject, i.text) for i in inquiries]
        matches = catalogue_matches(self.catalogue, prepared)
        # Features are finite by construction; scikit-learn's checks cost more than the model
        # on a small batch.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            x = self.model.features(self.catalogue, prepared, matches)
            complexity = self.model.complexity.predict_proba(x)
            department = self.model.department.predict_proba(x)
        return (
            Probabilities(
                complexity=complexity,
                department=department,
                complexity_classes=tuple(Complexity(c) for c in self.model.complexity.classes_),
                department_classes=tuple(Department(c) for c in self.model.department.classes_),
                decision_confidence=self.model.decision_confidence(complexity, department),
            ),
            x,
            matches,
        )

    def classify(self, inquiries: Sequence[Inquiry]) -> list[Classification]:
        if not inquiries:
            return []
        found, x, all_matches = self.probabilities(inquiries)
        confidence = found.decision_confidence
        closeness = self._closeness(x)
        results = []
        for i, inquiry in enumerate(inquiries):
            cx = int(found.complexity[i].argmax())
            dep = int(found.department[i].argmax())
            complexity = found.complexity_classes[cx]
            department = found.department_classes[dep]
            p_complexity = float(found.complexity[i, cx])
            p_department = float(found.department[i, dep])
            row = slice(x.indptr[i], x.indptr[i + 1])
            indices, values = x.indices[row], x.data[row]
            words = _original_words(f"{inquiry.subject or ''} {inquiry.text}")
            complexity_terms = self._strongest(
                indices, values, self._complexity_direction(cx), words
            )
            department_terms = self._strongest(indices, values, self._department_coef[dep], words)
            matches = [m for m in all_matches[i] if m.service.department is department]
            service = next((m for m in matches if m.service.complexity is complexity), None)
            # A specialist answer is nearly always a written decision (rule 2): worth knowing
            # the service by its wording. A simple one would only gain a self-service link,
            # and a wrong link sends the citizen astray: only the catalogue's words give one.
            if service is None and closeness is not None and complexity is Complexity.SPECIALIST:
                service = self._closest(closeness[i], department, complexity)
            sure = confidence[i] >= self.abstain_below
            results.append(
                Classification(
                    complexity if sure else Complexity.UNDETERMINED,
                    department,
                    round(float(confidence[i]), 4),
                    service=service.service if service and sure else None,
                    complexity_evidence=_complexity_reason(
                        complexity, p_complexity, complexity_terms, service, sure=sure,
                        confidence=float(confidence[i]), threshold=self.abstain_below,
                    ),
                    department_evidence=_department_reason(
                        department, p_department, department_terms, matches[:1]
                    ),
                    extra={"p_complexity": p_complexity, "p_department": p_department},
                    leaning=complexity,
                )
            )  # fmt: skip
        return results

    def _closeness(self, x: sp.csr_matrix) -> np.ndarray | None:
        centroids = self.model.service_centroids
        if centroids is None:
            return None
        return np.asarray((x[:, : self._n_text] @ centroids.T).toarray())

    def _closest(
        self, closeness: np.ndarray, department: Department, complexity: Complexity
    ) -> Match | None:
        """The service of this department and complexity whose training texts are most alike."""
        best, best_score = None, 0.0
        for column, service_id in enumerate(self.model.service_ids):
            service = self.catalogue.by_id.get(service_id)
            if service is None or service.department is not department:
                continue
            if service.complexity is complexity and closeness[column] > best_score:
                best, best_score = service, float(closeness[column])
        return Match(best, 0.0, ()) if best is not None else None

    def _complexity_direction(self, predicted: int) -> np.ndarray:
        # A binary linear model has one weight vector, pointing at its second class.
        coef = self._complexity_coef[0]
        return coef if predicted == 1 else -coef

    def _strongest(
        self, indices: np.ndarray, values: np.ndarray, coef: np.ndarray, words: dict[str, str]
    ) -> list[str]:
        """The citizen's words whose n-grams pushed hardest towards the predicted class."""
        text_part = indices < self._n_text
        indices, values = indices[text_part], values[text_part]
        contributions = values * coef[indices]
        order = np.argsort(-contributions)[:24]
        weight: dict[str, float] = {}
        for k in order:
            if contributions[k] <= 0:
                break
            index = int(indices[k])
            gram = str(self._names[index]).strip()
            if index < self._n_words:
                owners = [w for w in gram.split() if w in words]
            else:
                owners = [w for w in words if gram in w]
            for owner in owners:
                weight[owner] = weight.get(owner, 0.0) + float(contributions[k]) / len(owners)
        ranked = sorted(weight, key=lambda w: (-weight[w], w))
        return [words[w] for w in ranked if len(w) > 2 and w not in _NOT_EVIDENCE][
            : self.terms_shown
        ]


def _linear_coef(head: Any) -> np.ndarray:
    """The weights of the linear model of a head (inside its vote and its calibration): the
    words the reasons name are the ones this model weighs most."""
    estimator = head
    if hasattr(estimator, "named_estimators_"):
        estimator = estimator.named_estimators_["svm"]
    if hasattr(estimator, "calibrated_classifiers_"):
        estimator = estimator.calibrated_classifiers_[0].estimator
    return np.asarray(estimator.coef_)


def _original_words(text: str) -> dict[str, str]:
    """Folded word -> the word as the citizen wrote it (first spelling wins)."""
    words: dict[str, str] = {}
    for word in _WORD.findall(text):
        if not word.isalpha():
            continue  # numbers are no evidence: the model reads them all as 0
        words.setdefault(fold(word), word.lower())
    return words


def _quoted(terms: Sequence[str]) -> str:
    return ", ".join(f"'{t}'" for t in terms)


def _complexity_reason(
    complexity: Complexity,
    probability: float,
    terms: Sequence[str],
    service: Match | None,
    *,
    sure: bool,
    confidence: float,
    threshold: float,
) -> str:
    words = f" The words {_quoted(terms)} weigh most for it." if terms else ""
    if service is not None:
        s = service.service
        if service.terms:
            words += f" The catalogue's '{s.name_en}' is a {s.complexity.value} service ({s.kind})."
        else:
            words += (
                f" Closest in wording among the department's {s.complexity.value} services: "
                f"'{s.name_en}' ({s.kind})."
            )
    if not sure:
        return (
            f"Not sure enough to decide: confidence {confidence:.2f} is below the threshold "
            f"{threshold:.2f}; the model leaned to {complexity.value} ({probability:.2f}).{words}"
        )
    return f"A {complexity.value} matter ({probability:.2f}).{words}"


def _department_reason(
    department: Department, probability: float, terms: Sequence[str], matches: Sequence[Match]
) -> str:
    text = f"{department.value} ({DEPARTMENT_NAMES[department]}, {probability:.2f})"
    if terms:
        text += f": the words {_quoted(terms)} point to it"
    if matches:
        m = matches[0]
        text += f"; the catalogue matches '{m.service.name_en}' by {_quoted(m.terms[:3])}"
    return text + "."
