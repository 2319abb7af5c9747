"""The trained triage model: word and character n-grams and the catalogue match, into calibrated
linear models for complexity and department; abstains below a threshold chosen on validation.

`training/train.py` builds a `TriageModel` and writes it with joblib; the service loads it once
and classifies a whole consumer batch with one vectorisation and one product, in numpy from the
fitted model (features.py, heads.py).
"""

from __future__ import annotations

import bisect
import hashlib
import io
import itertools
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
from sklearn.feature_extraction.text import TfidfVectorizer

from services.triage.artifact import verified_bytes, write_manifest
from services.triage.catalogue import Catalogue, Match, Service, fold
from services.triage.classifier import Classification, Judgement
from services.triage.features import CharGrams, WordGrams
from services.triage.heads import LinearHeads
from services.triage.phrases import department_name, say
from services.triage.wording import citizen_words
from shared.events import Inquiry
from shared.vocabulary import Complexity, Department, Language

log = logging.getLogger(__name__)

DEPARTMENTS = tuple(Department)
CLASSIFY_CHUNK = 100  # inquiries a model call
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


def feature_rows(
    words: sp.csr_matrix,
    chars: sp.csr_matrix,
    matches: Sequence[Sequence[Match]],
    catalogue_weight: float,
) -> sp.csr_matrix:
    """The model's columns: word n-grams, character n-grams, the catalogue's evidence."""
    evidence = catalogue_evidence(matches) * catalogue_weight
    return sp.hstack([words, chars, evidence], format="csr")


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
    # The reply-channel rule's inputs that the words tell, each a calibrated binary classifier
    # of "holds" ("written_decision", "self_service"), and per input the probability either
    # way at which the model acts on it rather than fall to the safe side.
    rule_inputs: dict[str, Any] = field(default_factory=dict)
    rule_input_sure: dict[str, float] = field(default_factory=dict)

    def features(
        self,
        catalogue: Catalogue,
        prepared: Sequence[str],
        matches: Sequence[Sequence[Match]] | None = None,
    ) -> sp.csr_matrix:
        """scikit-learn's features, as training fits on them; the service computes the same
        with `ModelClassifier`'s faster vectorisers."""
        found = catalogue_matches(catalogue, prepared) if matches is None else matches
        words, chars = self.words.transform(prepared), self.chars.transform(prepared)
        return feature_rows(words, chars, found, self.catalogue_weight)

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
        self.terms_shown = terms_shown
        # Each n-gram column as a reason reads it: a word gram's words, a character gram's
        # letters without the padding spaces.
        self._grams = [
            str(gram).strip()
            for gram in (
                *model.words.get_feature_names_out(),
                *model.chars.get_feature_names_out(),
            )
        ]
        self._n_words = len(model.words.vocabulary_)
        self._n_text = len(self._grams)
        self._gram_words = [tuple(gram.split()) for gram in self._grams[: self._n_words]]
        self._complexity_coef = _linear_coef(model.complexity)
        self._department_coef = _linear_coef(model.department)
        self._words = WordGrams(model.words)
        self._chars = CharGrams(model.chars)
        self._heads = LinearHeads(
            model.complexity, model.department, model.confidence, model.rule_inputs
        )
        # Transposed and padded to every feature once: turning it for each batch cost more
        # than the product.
        self._centroids = None
        # Per (department, complexity, with a link): the services `_closest` chooses among.
        self._candidates: dict[
            tuple[Department, Complexity, bool], tuple[np.ndarray, list[Service]]
        ] = {}
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
        complexity, department, rule_inputs = self._heads.probabilities(x)
        confidence = self._heads.decision_confidence(confidence_features(complexity, department))
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
        # A batch's n-gram arrays grow with its text (a consumer batch of 500 inquiries of the
        # demo feed: 34 MB at its peak, 8 MB in chunks of 100); a chunk's call costs little
        # more than the batch's share, so the process's peak stays well under its budget.
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
        terms = self._reason_words(inquiries, x, complexities, departments)
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
        for i, closeness in zip(unnamed, self._closeness(x, unnamed), strict=False):
            complexity = classes[i][0]
            closest = self._closest(
                closeness, classes[i][1], complexity, with_link=complexity is Complexity.SIMPLE
            )
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
                    complexity_evidence=_complexity_reason(
                        complexity, p_complexity, complexity_terms, service, sure=sure,
                        confidence=float(confidence[i]), threshold=self.abstain_below,
                        language=self.language,
                    ),
                    department_evidence=_department_reason(
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

    def _closeness(self, x: sp.csr_matrix, rows: Sequence[int]) -> np.ndarray:
        """Of these rows of `x`, how alike each is to each service's training texts."""
        if self._centroids is None or not rows:
            return np.empty((0, 0))
        return np.asarray((x[rows] @ self._centroids).toarray())

    def _closest(
        self,
        closeness: np.ndarray,
        department: Department,
        complexity: Complexity,
        *,
        with_link: bool = False,
    ) -> Match | None:
        """The service of this department and complexity whose training texts are most alike
        (with a self-service link, if asked); the first of equals, none if none is alike."""
        key = (department, complexity, with_link)
        if key not in self._candidates:
            found = [
                (column, service)
                for column, service_id in enumerate(self.model.service_ids)
                if (service := self.catalogue.by_id.get(service_id)) is not None
                and service.department is department
                and service.complexity is complexity
                and (service.self_service is not None or not with_link)
            ]
            self._candidates[key] = (
                np.array([column for column, _ in found], dtype=np.intp),
                [service for _, service in found],
            )
        columns, services = self._candidates[key]
        if not len(columns):
            return None
        scores = closeness[columns]
        best = int(np.argmax(scores))
        return Match(services[best], 0.0, ()) if scores[best] > 0.0 else None

    def _reason_words(
        self,
        inquiries: Sequence[Inquiry],
        x: sp.csr_matrix,
        complexities: np.ndarray,
        departments: np.ndarray,
    ) -> list[tuple[list[str], list[str]]]:
        """Per inquiry, the citizen's words whose n-grams pushed hardest towards its complexity
        and towards its department (indices of the heads' classes)."""
        text = x.indices < self._n_text
        rows = np.repeat(np.arange(len(inquiries)), np.diff(x.indptr))[text]
        indices, values = x.indices[text], x.data[text]
        # A binary linear model has one weight vector, pointing at its second class.
        towards_complexity = values * self._complexity_coef[0][indices]
        towards_complexity[complexities[rows] == 0] *= -1
        towards_department = values * self._department_coef[departments[rows], indices]
        ends = np.cumsum(np.bincount(rows, minlength=len(inquiries))).tolist()
        terms = []
        for inquiry, start, end in zip(inquiries, [0, *ends], ends, strict=False):
            words = CitizenWords(f"{inquiry.subject or ''} {inquiry.text}")
            row = indices[start:end]
            terms.append(
                (
                    self._strongest(row, towards_complexity[start:end], words),
                    self._strongest(row, towards_department[start:end], words),
                )
            )
        return terms

    def _strongest(
        self, indices: np.ndarray, contributions: np.ndarray, words: CitizenWords
    ) -> list[str]:
        """The citizen's words whose n-grams pushed hardest towards the predicted class."""
        order = np.argsort(-contributions)[:24]
        weight: dict[str, float] = {}
        spelled = words.spelled
        for push, index in zip(contributions[order].tolist(), indices[order].tolist(), strict=True):
            if push <= 0:
                break
            if index < self._n_words:
                owners = [w for w in self._gram_words[index] if w in spelled]
            else:
                owners = words.containing(self._grams[index])
            if owners:
                share = push / len(owners)
                for owner in owners:
                    weight[owner] = weight.get(owner, 0.0) + share
        ranked = sorted(weight, key=lambda w: (-weight[w], w))
        return [words.spelled[w] for w in ranked if len(w) > 2 and w not in _NOT_EVIDENCE][
            : self.terms_shown
        ]


def _sure_yes(judgement: Judgement | None) -> bool:
    return judgement is not None and judgement.sure and judgement.holds


def _linear_coef(head: Any) -> np.ndarray:
    """The weights of the linear model of a head (inside its vote and its calibration): the
    words the reasons name are the ones this model weighs most."""
    estimator = head
    if hasattr(estimator, "named_estimators_"):
        estimator = estimator.named_estimators_["svm"]
    if hasattr(estimator, "calibrated_classifiers_"):
        estimator = estimator.calibrated_classifiers_[0].estimator
    return np.asarray(estimator.coef_)


class CitizenWords:
    """The words of an inquiry as the citizen wrote them, by their folded spelling (the
    model's), and which of them hold an n-gram."""

    def __init__(self, text: str) -> None:
        written = [word for word in _WORD.findall(text) if word.isalpha()]  # numbers: all 0
        # One fold for all the words: folding is per character and its replacements never
        # reach across a line break (tests/unit/triage/test_inference.py checks it).
        folded = fold("\n".join(written)).split("\n") if written else []
        self.spelled: dict[str, str] = {}  # folded -> as written, lower case; first one wins
        for key, word in zip(folded, written, strict=True):
            self.spelled.setdefault(key, word.lower())
        self._keys = list(self.spelled)
        self._joined = "\n".join(self._keys)
        self._starts = list(itertools.accumulate((len(k) + 1 for k in self._keys), initial=0))

    def containing(self, gram: str) -> list[str]:
        """The (folded) words that hold `gram`, in the order of the text, each once."""
        if not gram or "\n" in gram:
            return [w for w in self._keys if gram in w]
        owners = []
        at = self._joined.find(gram)
        while at != -1:
            k = bisect.bisect_right(self._starts, at) - 1
            owners.append(self._keys[k])
            at = self._joined.find(gram, self._starts[k + 1])
        return owners


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
    language: Language,
) -> str:
    words = say("matter.words", language, terms=_quoted(terms)) if terms else ""
    if service is not None:
        s = service.service
        key = "matter.service" if service.terms else "matter.closest"
        words += say(
            key,
            language,
            name=s.name_en if language is Language.EN else s.name_da,
            complexity=s.complexity.value,
            matter=say(s.complexity.value, language),
            kind=s.kind,
        )
    values = {
        "p": probability,
        "words": words,
        "complexity": complexity.value,
        "matter": say(complexity.value, language),
    }
    if not sure:
        return say("matter.unsure", language, confidence=confidence, threshold=threshold, **values)
    return say("matter", language, **values)


def _department_reason(
    department: Department,
    probability: float,
    terms: Sequence[str],
    matches: Sequence[Match],
    language: Language,
) -> str:
    name = department_name(department.value, language)
    text = say("department", language, code=department.value, name=name, p=probability)
    if terms:
        text += say("department.words", language, terms=_quoted(terms))
    if matches:
        s = matches[0].service
        text += say(
            "department.service",
            language,
            name=s.name_en if language is Language.EN else s.name_da,
            terms=_quoted(matches[0].terms[:3]),
        )
    return text + "."
