"""Triage's training and measuring data: the committed corpus is what its base texts build, a
base text's tags decide its written answer, and the two hand-written sets are what their sources
build and share nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training import hand_written
from training.check_corpus import main as check_corpus
from training.evaluation import CORPUS, DEVELOPMENT_SET, EVALUATION_SET, corpus_rows
from training.make_corpus import (
    Base,
    build,
    read_bases,
    read_catalogue,
    written_decision,
    written_services,
)


def test_the_committed_corpus_is_what_the_base_texts_build() -> None:
    rows = build(read_bases(), read_catalogue(), written_services())
    assert rows == corpus_rows(CORPUS)


def test_the_committed_corpus_passes_its_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_corpus([]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("service", "tags", "expected"),
    [
        ("housing-benefit-info", (), False),  # a simple service without a decision
        ("housing-benefit-info", ("written",), True),  # documentation asked for
        ("cpr-certificate", (), True),  # the service's answer is a document
        ("cpr-certificate", ("report",), False),  # reported, not asked for
        ("cpr-certificate", ("written", "report"), False),  # a report wins
    ],
)
def test_a_base_texts_tags_decide_its_written_answer(
    service: str, tags: tuple[str, ...], expected: bool
) -> None:
    base = Base("b9999", service, "da", tags, "tekst", "test")
    assert written_decision(base, written_services()) is expected


def test_every_base_text_tagged_report_is_a_specialist_matter_without_a_written_answer() -> None:
    services = read_catalogue()
    reports = [b for b in read_bases() if "report" in b.tags]
    assert len(reports) >= 100
    assert {services[b.service_id][1] for b in reports} == {"specialist"}
    rows = {r["base_id"]: r for r in corpus_rows(CORPUS)}
    assert not any(rows[b.base_id]["written_decision"] for b in reports)


@pytest.mark.parametrize("jsonl", [EVALUATION_SET, DEVELOPMENT_SET], ids=lambda p: p.parent.name)
def test_a_hand_written_set_is_what_its_source_builds(jsonl: Path) -> None:
    built = [
        item
        for path in sorted((jsonl.parent / "source").glob("*.txt"))
        for item in hand_written.parse(path.read_text(encoding="utf-8"))
    ]
    assert built == corpus_rows(jsonl)
    assert len(built) >= 300


def test_the_evaluation_and_development_sets_share_no_inquiry() -> None:
    evaluation, development = corpus_rows(EVALUATION_SET), corpus_rows(DEVELOPMENT_SET)
    assert not {r["id"] for r in evaluation} & {r["id"] for r in development}
    assert not {r["text"] for r in evaluation} & {r["text"] for r in development}
    corpus_texts = {json.dumps(r["text"]) for r in corpus_rows(CORPUS)}
    assert not {json.dumps(r["text"]) for r in evaluation + development} & corpus_texts
