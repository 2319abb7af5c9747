"""The municipality's service catalogue (data/catalogue.yaml) and matching inquiries to it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from shared.vocabulary import Complexity, Department


@dataclass(frozen=True)
class Service:
    id: str
    department: Department
    complexity: Complexity
    kind: str
    name_da: str
    name_en: str
    keywords: tuple[str, ...]
    self_service: str | None
    written_decision: bool


@dataclass(frozen=True)
class Match:
    service: Service
    score: float
    terms: tuple[str, ...]


def fold(text: str) -> str:
    """Lower case with æøå folded, so 'boligstøtte', 'boligstotte' and 'boligstoette' meet."""
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.replace("oe", "o").replace("ae", "a").replace("aa", "a")


def load_catalogue(path: Path) -> list[Service]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    services = []
    for entry in entries:
        keywords = entry.get("keywords") or {}
        names = entry.get("name") or {}
        terms = {
            fold(term)
            for language in ("da", "en")
            for term in [*keywords.get(language, []), names.get(language, "")]
            if term and len(term.strip()) > 2
        }
        services.append(
            Service(
                id=entry["id"],
                department=Department(entry["department"]),
                complexity=Complexity(entry["complexity"]),
                kind=entry.get("kind", ""),
                name_da=names.get("da", entry["id"]),
                name_en=names.get("en", entry["id"]),
                keywords=tuple(sorted(terms)),
                self_service=entry.get("self_service"),
                written_decision=bool(entry.get("written_decision", False)),
            )
        )
    return services


def _trie_pattern(terms: list[str]) -> str:
    """One regular expression for many terms, factored by common beginnings: Python's regex
    engine tries alternatives one by one, so 1,600 flat alternatives cost 1,600 tries at every
    position of every text; a trie costs a few. Greedy, so the longest term at a place wins."""
    trie: dict[str, dict] = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        inner = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{inner})?" if ends else inner

    return pattern(trie)


class Catalogue:
    def __init__(self, services: list[Service]) -> None:
        self.services = services
        self.by_id = {s.id: s for s in services}
        self._services_of: dict[str, list[Service]] = {}
        for service in services:
            for term in service.keywords:
                self._services_of.setdefault(term, []).append(service)
        # One pass over the text finds every term: longer terms first, so that "nyt pas" is
        # found where "pas" would also match; a term matches a word's beginning ("flytning"
        # finds "flytningen").
        self._terms = re.compile(r"\b" + _trie_pattern(sorted(self._services_of)))

    @classmethod
    def from_file(cls, path: Path) -> Catalogue:
        return cls(load_catalogue(path))

    def match(self, text: str, *, best: int | None = 3) -> list[Match]:
        """Services whose words the text uses; longer phrases weigh more than single words."""
        return self.match_folded(fold(text), best=best)

    def match_folded(self, folded: str, *, best: int | None = 3) -> list[Match]:
        found: dict[str, list[str]] = {}
        for term in dict.fromkeys(m.group() for m in self._terms.finditer(folded)):
            for service in self._services_of[term]:
                found.setdefault(service.id, []).append(term)
        matches = [
            Match(
                self.by_id[service_id],
                sum(len(t.split()) + len(t) / 20 for t in terms),
                tuple(terms),
            )
            for service_id, terms in found.items()
        ]
        matches.sort(key=lambda m: (-m.score, m.service.id))
        return matches if best is None else matches[:best]
