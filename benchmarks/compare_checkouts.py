"""Triage's decisions per CPU second in two checkouts, measured side by side: the same
benchmark (`python -m benchmarks.triage_inference`) in both at the same moment, each process
pinned to a core of its own, the cores swapped every pair.

    python -m benchmarks.compare_checkouts OLD_CHECKOUT NEW_CHECKOUT [--pairs 10] [--seconds 4]

On a machine whose speed drifts by a fifth between runs minutes apart, two runs at the same
moment see the same drift: the ratio of a pair is steadier than either figure. Each checkout
runs with its own `.venv` (a symlink to this one's will do) and its own shipped model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pair:
    old: dict[str, float]
    new: dict[str, float]

    def ratio(self, figure: str) -> float:
        """New against old: above 1, the new checkout decides more a CPU second."""
        return self.new[figure] / self.old[figure]


def _start(checkout: Path, core: int, seconds: float) -> subprocess.Popen[str]:
    command = [str(checkout / ".venv" / "bin" / "python"), "-m", "benchmarks.triage_inference"]
    process = subprocess.Popen(
        [*command, "--seconds", str(seconds)],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        stdout=subprocess.PIPE,
        text=True,
    )
    os.sched_setaffinity(process.pid, {core})  # before the model is loaded, let alone timed
    return process


def _figures(process: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = process.communicate()
    if process.returncode:
        raise RuntimeError(f"the benchmark failed ({process.returncode}): {out[-500:]}")
    found = json.loads(out.strip().splitlines()[-1])
    return {"single": found["single_per_s"], "batched": found["batched_per_s"]}


def compare(old: Path, new: Path, *, pairs: int = 10, seconds: float = 4.0) -> list[Pair]:
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        raise RuntimeError("two cores are needed, one for each checkout")
    found = []
    for n in range(pairs):
        old_core, new_core = (cores[0], cores[1]) if n % 2 == 0 else (cores[1], cores[0])
        running = _start(old, old_core, seconds), _start(new, new_core, seconds)
        try:
            pair = Pair(*(_figures(process) for process in running))
        finally:
            for process in running:  # the other one, when one failed
                if process.poll() is None:
                    process.kill()
                    process.wait()
        found.append(pair)
        print(
            f"pair {n + 1}: old {pair.old['single']:,.0f} / {pair.old['batched']:,.0f}, new "
            f"{pair.new['single']:,.0f} / {pair.new['batched']:,.0f} (one at a time / batched)",
            flush=True,
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare_checkouts")
    parser.add_argument("old", type=Path, help="the checkout to compare against")
    parser.add_argument("new", type=Path)
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=4.0, help="time for each measurement")
    args = parser.parse_args(argv)
    found = compare(args.old, args.new, pairs=args.pairs, seconds=args.seconds)
    summary = {}
    for figure in ("single", "batched"):
        ratios = sorted(pair.ratio(figure) for pair in found)
        summary[figure] = {
            "median_ratio": round(statistics.median(ratios), 3),
            "ratios": [round(r, 3) for r in ratios],
        }
        print(
            f"{figure}: new/old median {statistics.median(ratios):.3f} "
            f"(from {ratios[0]:.3f} to {ratios[-1]:.3f}); cost per decision "
            f"{1 / statistics.median(ratios) - 1:+.1%}"
        )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
