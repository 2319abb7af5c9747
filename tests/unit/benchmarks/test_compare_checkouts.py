"""The side-by-side comparison runs the benchmark in both checkouts and pairs their figures."""

from __future__ import annotations

import os

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
