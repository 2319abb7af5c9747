"""The side-by-side comparison runs the benchmark in both checkouts and pairs their figures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.compare_checkouts import Pair, compare
from shared.settings import REPO_ROOT


def test_a_pair_is_the_new_figure_over_the_old() -> None:
    pair = Pair(old={"single": 500.0, "batched": 4000.0}, new={"single": 550.0, "batched": 3600.0})
    assert pair.ratio("single") == pytest.approx(1.1)
    assert pair.ratio("batched") == pytest.approx(0.9)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_one_checkout_against_itself_gives_a_pair_of_its_own_figures() -> None:
    (pair,) = compare(REPO_ROOT, REPO_ROOT, pairs=1, seconds=0.2)
    for figures in (pair.old, pair.new):
        assert figures["single"] > 0
        assert figures["batched"] > 0


def _checkout(folder: Path, python: str) -> Path:
    """A checkout whose `.venv/bin/python` is the given shell script."""
    script = folder / ".venv" / "bin" / "python"
    script.parent.mkdir(parents=True)
    script.write_text(f"#!/bin/sh\n{python}\n")
    script.chmod(0o755)
    return folder


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_when_one_checkout_fails_the_other_is_not_left_running(tmp_path: Path) -> None:
    pid_file = tmp_path / "new.pid"
    # The old one fails once the new one is running.
    old = _checkout(
        tmp_path / "old", f"while [ ! -s {pid_file} ]; do sleep 0.01; done; echo broken; exit 3"
    )
    new = _checkout(tmp_path / "new", f"echo $$ > {pid_file}; exec sleep 60")
    with pytest.raises(RuntimeError, match=r"the benchmark failed \(3\): broken"):
        compare(old, new, pairs=1, seconds=0.2)
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
