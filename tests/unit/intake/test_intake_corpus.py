"""Messages intake did not write: CPython's own e-mail test corpus, and the demo feed."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.intake.normalise import Ignored, Normalised, Refused
from shared.settings import REPO_ROOT
from shared.vocabulary import Channel
from tests.intake_reading import read_one

SALT = "a-test-salt-of-some-length"
CPYTHON = REPO_ROOT / "tests" / "data" / "cpython_email"
FEED = REPO_ROOT / "demo" / "feed"


def _feed(folder: str) -> list[Path]:
    return sorted(p for p in (FEED / folder).iterdir() if p.suffix in (".eml", ".json", ".txt"))


@pytest.mark.parametrize("path", sorted(CPYTHON.glob("msg_*.txt")), ids=lambda p: p.name)
def test_cpython_email_corpus_is_normalised_or_refused_with_a_reason(path: Path) -> None:
    result = read_one(Channel.EMAIL, path.read_bytes(), salt=SALT)
    if isinstance(result, Refused):
        reason = result.reason
        assert reason.startswith("e-mail cannot be read: ")
        assert len(reason) > len("e-mail cannot be read: ") + 10
    elif isinstance(result, Normalised):
        assert result.inquiry.text.strip()
    else:
        assert result.why in ("auto_reply", "delivery_report")


def test_the_corpus_is_there_and_mostly_read() -> None:
    outcomes = {"inquiry": 0, "ignored": 0, "refused": 0}
    for path in CPYTHON.glob("msg_*.txt"):
        result = read_one(Channel.EMAIL, path.read_bytes(), salt=SALT)
        if isinstance(result, Refused):
            outcomes["refused"] += 1
            continue
        outcomes["ignored" if isinstance(result, Ignored) else "inquiry"] += 1
    assert sum(outcomes.values()) == 48
    # Refused are the ones with no text at all or no header block (see the README there).
    assert outcomes == {"inquiry": 32, "ignored": 4, "refused": 12}


@pytest.mark.parametrize(
    "path",
    [p for c in Channel if (FEED / c.value).is_dir() for p in _feed(c.value)],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_demo_feed_message_is_normalised(path: Path) -> None:
    result = read_one(
        Channel(path.parent.name), path.read_bytes(), salt=SALT, headers={"scan-id": path.name}
    )
    assert isinstance(result, Normalised)
    assert result.inquiry.text.strip()


@pytest.mark.parametrize("path", _feed("malformed"), ids=lambda p: p.name)
def test_every_malformed_demo_message_is_refused_with_a_reason(path: Path) -> None:
    refused = read_one(Channel(path.name.split("-")[0]), path.read_bytes(), salt=SALT)
    assert isinstance(refused, Refused)
    assert len(refused.reason) > 20
