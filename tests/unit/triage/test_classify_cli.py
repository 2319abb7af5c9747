"""`python -m services.triage classify` on a file it has never seen: the demo feed's raw
messages, normalised by intake's own code into classify input, one decision a line in order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from training.evaluation import DEMO_FEED, REPO, demo_feed

DECISION_KEYS = {
    "complexity",
    "department",
    "queue",
    "confidence",
    "reply_channel",
    "reasons",
    "model_version",
}


@pytest.mark.skipif(
    not (DEMO_FEED / "labels.jsonl").exists(), reason="the demo feed is not in this checkout"
)
def test_the_cli_triages_an_unseen_file_line_for_line(tmp_path: Path) -> None:
    items, _ = demo_feed()
    lines = [
        json.dumps(
            {
                "channel": item.channel,
                "text": item.text,
                "subject": item.subject,
                "language": item.language,
                "label": item.complexity,  # extra fields are ignored
            },
            ensure_ascii=False,
        )
        for item in items
    ]
    lines.insert(7, '{"channel": "fax", "text": "not a channel we have"}')
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    run = subprocess.run(
        [sys.executable, "-m", "services.triage", "classify", "--in", source, "--out", target],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )

    assert run.returncode == 2  # one line could not be read, and it says which
    assert "line 8: channel" in run.stderr
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(out) == len(lines)
    assert "error" in out[7]
    decisions = out[:7] + out[8:]
    assert all(set(d) == DECISION_KEYS for d in decisions)
    assert all(d["reasons"] and d["model_version"].startswith("tm-") for d in decisions)
    right = sum(
        d["department"] == item.department for d, item in zip(decisions, items, strict=True)
    )
    assert right / len(items) >= 0.85


def test_the_cli_refuses_a_missing_file_with_status_2(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "services.triage", "classify", "--in", tmp_path / "none.jsonl",
         "--out", tmp_path / "out.jsonl"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "cannot open" in run.stderr
