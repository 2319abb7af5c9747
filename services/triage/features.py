"""The model's columns for a whole batch at once: word and character n-grams, weighted as the
fitted vectorisers weigh them, and the catalogue's evidence.

The n-grams are the same numbers scikit-learn's vectorisers give, counted without a Python step
per n-gram: every n-gram is an integer, and a whole batch's integers are looked up in numpy in
the fitted vectoriser's own vocabulary (docs/performance.md has what it saves). They mirror
scikit-learn 1.9 (pyproject.toml pins `>=1.9,<1.10`); tests/unit/triage/test_inference.py
compares them with the vectorisers' own over the corpus and the demo feed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from services.triage.artifact import TriageModel
from services.triage.catalogue import Catalogue, Match
from shared.vocabulary import Complexity, Department

DEPARTMENTS = tuple(Department)
DECIDED = (Complexity.SIMPLE, Complexity.SPECIALIST)


def catalogue_matches(catalogue: Catalogue, prepared: Sequence[str]) -> list[list[Match]]:
    return [catalogue.match_folded(text, best=None) for text in prepared]


def catalogue_evidence(matches: Sequence[Sequence[Match]]) -> np.ndarray:
    """Per text: how strongly the catalogue's words point at each department and complexity."""
    rows = np.zeros((len(matches), len(DEPARTMENTS) + len(DECIDED)), dtype=np.float64)
    for i, found in enumerate(matches):
        for match in found:
            strength = math.log1p(match.score)
            column = DEPARTMENTS.index(match.service.department)
            rows[i, column] = max(rows[i, column], strength)
            column = len(DEPARTMENTS) + DECIDED.index(match.service.complexity)
            rows[i, column] = max(rows[i, column], strength)
    return rows


def feature_rows(
    words: sp.csr_matrix,
    chars: sp.csr_matrix,
    matches: Sequence[Sequence[Match]],
    catalogue_weight: float,
) -> sp.csr_matrix:
    """The model's columns: word n-grams, character n-grams, the catalogue's evidence.

    The same matrix as `sp.hstack([words, chars, sp.csr_matrix(evidence) * weight])`, each
    row's entries placed straight into the joined arrays: scipy's stacking and its conversions
    check their input on every call, most of the cost for one inquiry.
    """
    evidence = catalogue_evidence(matches)
    rows, columns = np.nonzero(evidence)
    blocks = [
        (words.indptr, words.indices, words.data),
        (chars.indptr, chars.indices + words.shape[1], chars.data),
        (
            np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(evidence))))),
            columns + words.shape[1] + chars.shape[1],
            evidence[rows, columns] * catalogue_weight,
        ),
    ]
    counts = [np.diff(indptr) for indptr, _, _ in blocks]
    indptr = np.concatenate(([0], np.cumsum(sum(counts))))
    indices = np.empty(indptr[-1], dtype=np.int32)
    data = np.empty(indptr[-1], dtype=np.result_type(words.data, chars.data, evidence))
    row_start = indptr[:-1].copy()  # where each row's next block goes
    for (block_indptr, block_indices, block_data), count in zip(blocks, counts, strict=True):
        at = np.repeat(row_start - block_indptr[:-1], count) + np.arange(len(block_indices))
        indices[at], data[at] = block_indices, block_data
        row_start += count
    shape = (len(evidence), words.shape[1] + chars.shape[1] + evidence.shape[1])
    return sp.csr_matrix((data, indices, indptr.astype(np.int32)), shape=shape)


def fitted_features(
    model: TriageModel,
    catalogue: Catalogue,
    prepared: Sequence[str],
    matches: Sequence[Sequence[Match]] | None = None,
) -> sp.csr_matrix:
    """The columns by the vectorisers' own `transform`, as training fits on them."""
    found = catalogue_matches(catalogue, prepared) if matches is None else matches
    words, chars = model.words.transform(prepared), model.chars.transform(prepared)
    return feature_rows(words, chars, found, model.catalogue_weight)


def confidence_features(*heads: tuple[np.ndarray, Sequence[np.ndarray]]) -> np.ndarray:
    """The evidence the decision confidence is made of: per head, given as its voted
    probabilities and its vote members' own, the log-odds of each member's probability for the
    class the vote chose. Members that agree say more than their average does."""
    columns = []
    for voted, members in heads:
        rows, chosen = np.arange(len(voted)), voted.argmax(axis=1)
        columns += [member[rows, chosen] for member in members]
    chosen_probability = np.clip(np.column_stack(columns), 1e-6, 1 - 1e-6)
    return np.asarray(np.log(chosen_probability / (1 - chosen_probability)))


# Direct lookup for the n-grams whose numbers fit a table of this many entries (8 bytes each).
DENSE_TABLE_ENTRIES = 2**17


class _Columns:
    """Vocabulary columns by n-gram number (-1: not in the vocabulary), for a batch of numbers
    at once: a hashed table of one number a slot, and for the numbers that find their slot
    taken by another, the sorted numbers (a binary search costs several times a slot)."""

    _FIBONACCI = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: spreads near numbers

    def __init__(self, numbers: np.ndarray, columns: np.ndarray) -> None:
        # About eight slots a number: few numbers find their slot taken.
        bits = max(1, len(numbers)).bit_length() + 3
        self._shift = np.uint64(64 - bits)
        self._held = np.full(2**bits, -1, dtype=np.int64)
        self._held_column = np.full(2**bits, -1, dtype=np.int64)
        slots = self._slots(numbers)
        self._held[slots] = numbers
        self._held_column[slots] = columns
        order = np.argsort(numbers)
        self._numbers, self._columns = numbers[order], columns[order]

    def _slots(self, numbers: np.ndarray) -> np.ndarray:
        return ((numbers.astype(np.uint64) * self._FIBONACCI) >> self._shift).astype(np.intp)

    def __call__(self, numbers: np.ndarray) -> np.ndarray:
        slots = self._slots(numbers)
        held = self._held[slots]
        columns = np.where(held == numbers, self._held_column[slots], -1)
        elsewhere = np.flatnonzero((held != numbers) & (held >= 0))
        if len(elsewhere) and len(self._numbers):
            wanted = numbers[elsewhere]
            at = np.minimum(np.searchsorted(self._numbers, wanted), len(self._numbers) - 1)
            columns[elsewhere] = np.where(self._numbers[at] == wanted, self._columns[at], -1)
        return columns


class _Weighted:
    """A fitted vectoriser's tf-idf of counted n-grams: sublinear tf, its idf, unit length.

    The vectoriser's own `transform` checks its input on every call, most of a single inquiry's
    features, so its steps are repeated here as scikit-learn writes them, down to the row
    normalisation it calls, which keeps them bit for bit the same.
    """

    def __init__(self, vectoriser: TfidfVectorizer, analyzer: str, **settings: object) -> None:
        expected = {"analyzer": analyzer, "input": "content", "lowercase": True, **settings}
        expected |= {"preprocessor": None, "strip_accents": None, "stop_words": None}
        expected |= {"binary": False, "sublinear_tf": True, "use_idf": True, "norm": "l2"}
        actual = vectoriser.get_params()
        different = {k: actual[k] for k in expected if actual[k] != expected[k]}
        if different:
            raise ValueError(f"no fast path for a vectoriser with {different}")
        self.vocabulary = len(vectoriser.vocabulary_)
        self.idf = np.asarray(vectoriser.idf_, dtype=vectoriser.dtype)

    def weighted(self, rows: np.ndarray, columns: np.ndarray, n_texts: int) -> sp.csr_matrix:
        """The n-grams found, a row and a column each, counted and weighted."""
        # Each (row, column) counted in one sort of their joint numbers, which puts each row's
        # columns in order, as the vectoriser has them; the matrix built from its arrays
        # (scipy's conversions check their input, much of the cost here). numpy's sort of
        # integers is vectorised: it beats scipy's counting sort into the vocabulary's rows.
        keys = np.sort(rows * self.vocabulary + columns)
        first = np.empty(len(keys), dtype=bool)
        first[:1] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        found = keys[starts]
        counts = np.diff(starts, append=len(keys)).astype(self.idf.dtype)
        indptr = np.searchsorted(found, np.arange(n_texts + 1) * self.vocabulary)
        x = sp.csr_matrix(
            (counts, (found % self.vocabulary).astype(np.int32), indptr.astype(np.int32)),
            shape=(n_texts, self.vocabulary),
        )
        np.log(x.data, x.data)
        x.data += 1.0
        x.data *= self.idf[x.indices]
        inplace_csr_row_normalize_l2(x)
        return x


class WordGrams:
    """Word uni- and bigrams, as the vectoriser's word analyser makes them.

    Each word of the vocabulary's n-grams gets a number; a bigram is the pair of its words'
    numbers as one integer, looked up for a whole batch at once.
    """

    def __init__(self, vectoriser: TfidfVectorizer) -> None:
        self._weighted = _Weighted(vectoriser, "word", ngram_range=(1, 2), tokenizer=None)
        self._tokens = vectoriser.build_tokenizer()
        self._number: dict[str, int] = {}
        grams = [gram.split(" ") for gram in vectoriser.vocabulary_]
        for words in grams:
            for word in words:
                self._number.setdefault(word, len(self._number))
        self.unknown = len(self._number)  # any word the vocabulary does not have
        columns = np.fromiter(vectoriser.vocabulary_.values(), dtype=np.int64, count=len(grams))
        self._unigram = np.full(self.unknown + 1, -1, dtype=np.int64)
        pairs, pair_columns = [], []
        for words, column in zip(grams, columns.tolist(), strict=True):
            numbers = [self._number[w] for w in words]
            if len(numbers) == 1:
                self._unigram[numbers[0]] = column
            else:
                pairs.append(numbers[0] * self.unknown + numbers[1])
                pair_columns.append(column)
        self._pairs = _Columns(np.array(pairs, dtype=np.int64), np.array(pair_columns))

    def __call__(self, texts: Sequence[str]) -> sp.csr_matrix:
        numbers: list[int] = []
        lengths = []
        for text in texts:
            tokens = self._tokens(text.lower())
            numbers += map(self._number.get, tokens, repeat(self.unknown))
            lengths.append(len(tokens))
        words = np.array(numbers, dtype=np.int64)
        text_of = np.repeat(np.arange(len(texts)), lengths)
        unigrams = self._unigram[words]
        known = unigrams >= 0
        rows, columns = [text_of[known]], [unigrams[known]]
        if len(words) > 1:
            # Neighbours in one text, both words in the vocabulary's.
            first, second = words[:-1], words[1:]
            paired = np.flatnonzero(
                (text_of[:-1] == text_of[1:]) & (first < self.unknown) & (second < self.unknown)
            )
            found = self._pairs(first[paired] * self.unknown + second[paired])
            known = found >= 0
            rows.append(text_of[paired[known]])
            columns.append(found[known])
        return self._weighted.weighted(np.concatenate(rows), np.concatenate(columns), len(texts))


class CharGrams:
    """Character n-grams inside word boundaries ('char_wb'): every window of each length that
    lies inside a word padded with a space either side.

    Each n-gram is an integer: its characters as digits of base `base`, numbered by the
    vocabulary's alphabet from 1, so n-grams of different lengths never share a number; a
    character outside that alphabet gets a digit no vocabulary entry has. The short n-grams'
    columns are read from a table indexed by that number; the longer ones, whose table would
    be too large, from a hashed one.
    """

    def __init__(
        self, vectoriser: TfidfVectorizer, *, table_entries: int = DENSE_TABLE_ENTRIES
    ) -> None:
        self._weighted = _Weighted(vectoriser, "char_wb")
        self.shortest, self.longest = vectoriser.ngram_range
        if self.shortest > 3:
            # A word of one letter pads to three characters; below `shortest` the analyser
            # would count the whole padded word, which this does not.
            raise ValueError("no fast path for character n-grams longer than 3 at the least")
        alphabet = sorted({char for gram in vectoriser.vocabulary_ for char in gram})
        if " " not in alphabet:
            raise ValueError("a 'char_wb' vocabulary without the padding space")
        unknown = len(alphabet) + 1
        self.base = len(alphabet) + 2
        if self.base**self.longest >= 2**63:
            raise ValueError("the vocabulary's alphabet is too large for 64-bit n-gram numbers")
        self._digit = np.full(ord(alphabet[-1]) + 2, unknown, dtype=np.int64)
        for number, char in enumerate(alphabet, start=1):
            self._digit[ord(char)] = number
        self._space = int(self._digit[ord(" ")])
        numbers = np.array([self._number(gram) for gram in vectoriser.vocabulary_], dtype=np.int64)
        columns = np.fromiter(vectoriser.vocabulary_.values(), dtype=np.int64, count=len(numbers))
        # n-grams up to `in_table` characters are numbered below base**in_table.
        self.in_table = max(n for n in range(1, self.longest + 1) if self.base**n <= table_entries)
        self._table = np.full(self.base**self.in_table, -1, dtype=np.int64)
        short = numbers < len(self._table)
        self._table[numbers[short]] = columns[short]
        self._longer = _Columns(numbers[~short], columns[~short])

    def _number(self, gram: str) -> int:
        number = 0
        for char in gram:
            number = number * self.base + int(self._digit[ord(char)])
        return number

    def __call__(self, texts: Sequence[str]) -> sp.csr_matrix:
        # The analyser's words are the text's, split at white space after lower-casing (its
        # `\s\s+` -> ' ' changes nothing `split()` does not already do). Two spaces between
        # words: each word padded with its own.
        padded = ["  ".join(text.lower().split()) for text in texts]
        padded = [f" {text} " if text else "" for text in padded]
        if not any(padded):
            nothing = np.array([], dtype=np.int64)
            return self._weighted.weighted(nothing, nothing, len(texts))
        points = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
        digits = self._digit[np.minimum(points, len(self._digit) - 1)]
        text_of = np.repeat(np.arange(len(texts)), [len(text) for text in padded])
        # A padded word begins at a space after a space (or at the start): a window lies inside
        # one word when no word begins after its first character.
        space = digits == self._space
        begins = space.copy()
        begins[1:] &= space[:-1]
        word_of = np.cumsum(begins)
        rows, columns = [], []
        number = digits  # of the n-grams of length n from here on
        for n in range(1, self.longest + 1):
            if n > 1:
                number = number[:-1] * self.base + digits[n - 1 :]
            if n < self.shortest:
                continue
            inside = np.flatnonzero(word_of[: len(number)] == word_of[n - 1 :])
            found = number[inside]
            column = self._table[found] if n <= self.in_table else self._longer(found)
            known = column >= 0
            rows.append(text_of[inside[known]])
            columns.append(column[known])
        return self._weighted.weighted(np.concatenate(rows), np.concatenate(columns), len(texts))
