"""`python -m services.intake normalise` and `original`, as a person at a terminal uses them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from services.intake.__main__ import main
from services.intake.settings import IntakeSettings
from services.intake.store import Originals
from shared.database import make_engine
from shared.settings import REPO_ROOT
from tests.conftest import migrated


def test_normalise_prints_the_inquiry_or_the_reason_with_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(["normalise", "--channel", "letter", str(REPO_ROOT / "demo/feed/letter/002.txt")]) == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed["citizen"]["name"] == "Inga Sørensen"
    assert "[CPR]" in printed["text"]

    broken = REPO_ROOT / "demo/feed/malformed/phone-not-json.json"
    assert main(["normalise", "--channel", "phone", str(broken)]) == 2
    assert "unreadable: phone payload is not valid JSON" in capsys.readouterr().err


def test_original_writes_the_bytes_kept_in_intakes_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated(f"sqlite:///{tmp_path / 'intake.db'}")
    monkeypatch.setenv("DATABASE_URL", url)
    data = b"%PDF-1.4 a letter"
    digest = hashlib.sha256(data).hexdigest()
    store = Originals(make_engine(IntakeSettings(database_url=url)))
    store.keep([(digest, "application/pdf", data)])
    store.engine.dispose()

    assert main(["original", digest, "--out", str(tmp_path / "letter.pdf")]) == 0
    assert (tmp_path / "letter.pdf").read_bytes() == data
    assert main(["original", "0" * 64]) == 2
    assert "no original" in capsys.readouterr().err
