"""The wording of the model's reasons: which of the citizen's words weighed most for the decided
complexity and department, and the sentences that say so in the caseworker's language."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from services.triage.artifact import TriageModel
from services.triage.catalogue import Match, fold
from services.triage.phrases import department_name, say
from shared.events import Inquiry
from shared.vocabulary import Complexity, Department, Language

_WORD = re.compile(r"\w+")
# Words that carry grammar, not a matter: the model may weigh them, a reason does not name them.
NOT_EVIDENCE = frozenset(
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


def linear_coef(head: Any) -> np.ndarray:
    """The weights of the linear model of a head (inside its vote and its calibration): the
    words the reasons name are the ones this model weighs most."""
    estimator = head
    if hasattr(estimator, "named_estimators_"):
        estimator = estimator.named_estimators_["svm"]
    if hasattr(estimator, "calibrated_classifiers_"):
        estimator = estimator.calibrated_classifiers_[0].estimator
    return np.asarray(estimator.coef_)


class WrittenWords:
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


class WeighedWords:
    """Per inquiry, the citizen's words whose n-grams pushed hardest towards its complexity and
    its department: the linear SVM's contributions, characters attributed to the words that
    hold them."""

    def __init__(self, model: TriageModel, *, terms_shown: int = 3) -> None:
        self.terms_shown = terms_shown
        # Each n-gram column as a reason reads it: a word gram's words, a character gram's
        # letters without the padding spaces.
        self.grams = [
            str(gram).strip()
            for gram in (
                *model.words.get_feature_names_out(),
                *model.chars.get_feature_names_out(),
            )
        ]
        self.n_words = len(model.words.vocabulary_)
        self._n_text = len(self.grams)
        self._gram_words = [tuple(gram.split()) for gram in self.grams[: self.n_words]]
        self._complexity_coef = linear_coef(model.complexity)
        self._department_coef = linear_coef(model.department)

    def __call__(
        self,
        inquiries: Sequence[Inquiry],
        x: sp.csr_matrix,
        complexities: np.ndarray,
        departments: np.ndarray,
    ) -> list[tuple[list[str], list[str]]]:
        """`complexities` and `departments` are indices of the heads' classes."""
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
            words = WrittenWords(f"{inquiry.subject or ''} {inquiry.text}")
            row = indices[start:end]
            terms.append(
                (
                    self._strongest(row, towards_complexity[start:end], words),
                    self._strongest(row, towards_department[start:end], words),
                )
            )
        return terms

    @staticmethod
    def _strongest_first(against: np.ndarray, count: int = 24) -> np.ndarray:
        """Positions of the `count` largest pushes (`against` is their negation), strongest
        first and equal ones in column order (a row's columns ascend).

        N-grams that always occur together push equally, and numpy's unstable sorts order
        equals by whichever vector instructions the processor has: the words named would
        follow the machine. A stable sort of the whole row costs several times numpy's default
        (docs/triage.md), so only the pushes at least as strong as the `count`-th are sorted
        (its value is the same however it is found)."""
        if len(against) <= count:
            return against.argsort(kind="stable")
        # The arrays' methods, not numpy's functions: their wrappers cost as much as the work.
        part = against.copy()
        part.partition(count - 1)
        candidates = (against <= part[count - 1]).nonzero()[0]
        return candidates[against[candidates].argsort(kind="stable")[:count]]

    def _strongest(
        self, indices: np.ndarray, contributions: np.ndarray, words: WrittenWords
    ) -> list[str]:
        order = self._strongest_first(-contributions)
        weight: dict[str, float] = {}
        spelled, n_words, gram_words = words.spelled, self.n_words, self._gram_words
        owners: Sequence[str]
        for push, index in zip(contributions[order].tolist(), indices[order].tolist(), strict=True):
            if push <= 0:
                break
            if index >= n_words:
                owners = words.containing(self.grams[index])
            elif len(gram := gram_words[index]) == 1:  # most word n-grams: one word, no list
                owners = gram if gram[0] in spelled else ()
            else:
                owners = [w for w in gram if w in spelled]
            if owners:
                share = push / len(owners)
                for owner in owners:
                    weight[owner] = weight.get(owner, 0.0) + share
        # Largest weight first, alphabetical among equals; the words a reason may name only.
        ranked = sorted(
            (-w, word) for word, w in weight.items() if len(word) > 2 and word not in NOT_EVIDENCE
        )
        return [spelled[word] for _, word in ranked[: self.terms_shown]]


def _quoted(terms: Sequence[str]) -> str:
    return ", ".join(f"'{t}'" for t in terms)


def complexity_reason(
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


def department_reason(
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
