"""`--profile DIR`: py-spy samples every service process during the throughput run and writes
each one's stacks (DIR/<service>.txt, collapsed) and where its time went (DIR/<service>.top.txt).

py-spy is a development tool, not a dependency: `.venv/bin/pip install py-spy`.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.pipeline import Pipeline


def _py_spy() -> str | None:
    beside_python = Path(sys.executable).parent / "py-spy"
    return str(beside_python) if beside_python.exists() else shutil.which("py-spy")


@contextmanager
def profiled(pipeline: Pipeline, directory: Path | None) -> Iterator[None]:
    spy = _py_spy() if directory else None
    if directory is None or spy is None:
        if directory is not None:
            print("py-spy not found: no profile (pip install py-spy)", file=sys.stderr)
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    samplers = {
        name: subprocess.Popen(
            [spy, "record", "--pid", str(process.pid), "--rate", "200", "--format", "raw",
             "--output", str(directory / f"{name}.txt"), "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, process in pipeline.processes.items()
    }  # fmt: skip
    try:
        yield
    finally:
        for sampler in samplers.values():
            sampler.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
        for name, sampler in samplers.items():
            try:
                sampler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                sampler.kill()
                sampler.wait()
            stacks = directory / f"{name}.txt"
            if stacks.exists():
                (directory / f"{name}.top.txt").write_text(summary(stacks))


def summary(stacks: Path, top: int = 40) -> str:
    """The frames a process spent its samples in: inclusive (with callees) and self."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in stacks.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue  # a blank line, or the last one cut off when the sampler was stopped
        frames = stack.split(";")
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return "no samples\n"
    lines = [f"{total} samples", "", "inclusive"]
    lines += [f"{100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top)]
    lines += ["", "self"]
    lines += [f"{100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines) + "\n"
