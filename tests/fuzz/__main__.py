"""`make fuzz`: the fuzz tier's full run, with its counts (python -m tests.fuzz --help)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tests.fuzz.harness import Tally, fuzz_gateway, fuzz_normalisation


def keep_slow(tally: Tally, folder: Path) -> None:
    """Each slow input as `<target>-<n>.<channel>`, its timing and origin in `slow.txt`."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "slow.txt").open("a") as listing:
        for n, (seconds, payload) in enumerate(tally.slow_inputs, 1):
            name = f"{tally.target}-{n}.{payload.channel.value}"
            (folder / name).write_bytes(payload.body)
            listing.write(f"{name}\t{seconds:.2f} s\t{payload.how}\n")
            print(f"  kept {folder / name}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--normalisation", type=int, default=100_000, help="inputs across channels (0: none)"
    )
    parser.add_argument(
        "--gateway", type=int, default=10_000, help="requests to the gateway (0: none)"
    )
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed: a run repeats")
    parser.add_argument(
        "--dead-letter-every",
        type=int,
        default=3,
        help="check the dead letter of every Nth refusal",
    )
    parser.add_argument("--progress", type=int, default=10_000, help="report so far every N")
    parser.add_argument(
        "--keep-slow", type=Path, help="write the inputs that took over a second into this folder"
    )
    args = parser.parse_args()
    if args.normalisation < 0 or args.gateway < 0:
        parser.error("--normalisation and --gateway count inputs: 0 or more")
    failed = False
    runs = [
        (args.gateway, lambda: fuzz_gateway(args.gateway, args.seed, progress_every=args.progress)),
        (
            args.normalisation,
            lambda: fuzz_normalisation(
                args.normalisation,
                args.seed,
                dead_letter_every=args.dead_letter_every,
                progress_every=args.progress,
            ),
        ),
    ]
    for count, run in runs:
        if not count:
            continue
        started = time.monotonic()
        tally = run()
        print("FINAL " + tally.report())
        print(f"  run took {time.monotonic() - started:,.0f} s", flush=True)
        failed = failed or bool(tally.failures())
        if args.keep_slow:
            keep_slow(tally, args.keep_slow)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
