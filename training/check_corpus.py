"""Check the service catalogue and the labelled corpus against the contract.

    python -m training.check_corpus      # exit status 1 and a list of problems on failure

Checks: the catalogue parses as YAML and each entry has the documented fields and values; at least
90 services, every department at least 8; every corpus line has the documented fields and values,
its service exists and agrees with its department and complexity; all lines of one base text share
one split; subject only on e-mail; the counts the corpus promises (>= 2,000 lines, >= 1,000 base
texts, >= 5 base texts per service, about 80/20 simple/specialist and 70/30 Danish/English).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from training.make_corpus import read_bases

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "services" / "triage" / "data" / "catalogue.yaml"
CORPUS = ROOT / "training" / "corpus" / "inquiries.jsonl"

DEPARTMENTS = {"OKF", "KFF", "BUF", "SUF", "SOF", "TMF", "BIF"}
CHANNELS = {"phone", "email", "chat", "letter", "in_person", "self_service"}
KINDS = {
    "information",
    "expedition",
    "light_processing",
    "discretion",
    "authority_decision",
    "appeal",
    "special_needs",
    "ongoing_case",
}
SIMPLE_KINDS = {"information", "expedition", "light_processing"}
FIELDS = {
    "id",
    "base_id",
    "channel",
    "language",
    "subject",
    "text",
    "complexity",
    "department",
    "service_id",
    "written_decision",
    "split",
}


def check_catalogue(services: list[dict[str, Any]]) -> list[str]:
    problems = []
    ids = collections.Counter(s.get("id") for s in services)
    problems += [f"duplicate service id {i}" for i, n in ids.items() if n > 1]
    for s in services:
        sid = s.get("id", "?")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", str(sid)):
            problems.append(f"{sid}: id is not kebab-case")
        if s.get("department") not in DEPARTMENTS:
            problems.append(f"{sid}: bad department {s.get('department')!r}")
        if s.get("complexity") not in ("simple", "specialist"):
            problems.append(f"{sid}: bad complexity {s.get('complexity')!r}")
        if s.get("kind") not in KINDS:
            problems.append(f"{sid}: bad kind {s.get('kind')!r}")
        elif (s["kind"] in SIMPLE_KINDS) != (s.get("complexity") == "simple"):
            problems.append(
                f"{sid}: kind {s['kind']} does not fit complexity {s.get('complexity')}"
            )
        name = s.get("name") or {}
        if not (isinstance(name, dict) and name.get("da") and name.get("en")):
            problems.append(f"{sid}: name needs da and en")
        keywords = s.get("keywords") or {}
        for lang in ("da", "en"):
            words = keywords.get(lang)
            if not (isinstance(words, list) and words and all(isinstance(w, str) for w in words)):
                problems.append(f"{sid}: keywords.{lang} must be a non-empty list of strings")
        link = s.get("self_service")
        if link is not None and not str(link).startswith("https://"):
            problems.append(f"{sid}: self_service must be an https link or null")
        if not isinstance(s.get("written_decision"), bool):
            problems.append(f"{sid}: written_decision must be true or false")
    if len(services) < 90:
        problems.append(f"only {len(services)} services (< 90)")
    per_department = collections.Counter(s.get("department") for s in services)
    problems += [
        f"department {d} has {per_department[d]} services (< 8)"
        for d in sorted(DEPARTMENTS)
        if per_department[d] < 8
    ]
    return problems


def check_corpus(rows: list[dict[str, Any]], services: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    # A report or a request to be contacted is answered by a person, whatever the service.
    reports = {b.base_id for b in read_bases() if "report" in b.tags}
    splits: dict[str, set[str]] = collections.defaultdict(set)
    for r in rows:
        rid = r.get("id", "?")
        missing = FIELDS - set(r)
        if missing:
            problems.append(f"{rid}: missing {sorted(missing)}")
            continue
        if r["channel"] not in CHANNELS:
            problems.append(f"{rid}: bad channel {r['channel']!r}")
        if r["language"] not in ("da", "en"):
            problems.append(f"{rid}: bad language {r['language']!r}")
        if r["split"] not in ("train", "validation", "test"):
            problems.append(f"{rid}: bad split {r['split']!r}")
        if not str(r["text"]).strip():
            problems.append(f"{rid}: empty text")
        if (r["subject"] is not None) != (r["channel"] == "email"):
            problems.append(f"{rid}: subject must be set for e-mail and only for e-mail")
        service = services.get(r["service_id"])
        if service is None:
            problems.append(f"{rid}: unknown service {r['service_id']!r}")
        elif (service["department"], service["complexity"]) != (r["department"], r["complexity"]):
            problems.append(f"{rid}: labels disagree with catalogue entry {r['service_id']}")
        elif (
            r["written_decision"] is not True
            and service.get("written_decision")
            and r["base_id"] not in reports
        ):
            problems.append(f"{rid}: the service's answer is written, the line says not")
        splits[r["base_id"]].add(r["split"])
    problems += [
        f"base {b} is in several splits {sorted(s)}" for b, s in splits.items() if len(s) > 1
    ]
    ids = collections.Counter(r.get("id") for r in rows)
    problems += [f"duplicate line id {i}" for i, n in ids.items() if n > 1]

    n = len(rows)
    if n < 2000:
        problems.append(f"only {n} lines (< 2,000)")
    if len(splits) < 1000:
        problems.append(f"only {len(splits)} base texts (< 1,000)")
    bases_per_service: dict[str, set[str]] = collections.defaultdict(set)
    for r in rows:
        bases_per_service[r["service_id"]].add(r["base_id"])
    problems += [
        f"service {s} has {len(bases_per_service[s])} base texts (< 5)"
        for s in services
        if len(bases_per_service[s]) < 5
    ]
    simple = sum(r["complexity"] == "simple" for r in rows) / max(n, 1)
    danish = sum(r["language"] == "da" for r in rows) / max(n, 1)
    if not 0.75 <= simple <= 0.85:
        problems.append(f"simple share {simple:.1%} is not about 80 %")
    if not 0.65 <= danish <= 0.75:
        problems.append(f"Danish share {danish:.1%} is not about 70 %")
    return problems


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m training.check_corpus",
        description="Check the service catalogue and the labelled corpus against the contract.",
    ).parse_args(argv)
    services = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    problems = check_catalogue(services)
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    problems += check_corpus(rows, {s["id"]: s for s in services})
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"ok: {len(services)} services, {len(rows)} corpus lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
