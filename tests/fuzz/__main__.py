"""`make fuzz`: the fuzz tier's full run, with its counts (python -m tests.fuzz --help)."""

from __future__ import annotations

import argparse
import sys
import time

from tests.fuzz.harness import fuzz_gateway, fuzz_normalisation


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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
