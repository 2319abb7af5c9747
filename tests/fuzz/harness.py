"""The fuzz tier: drives each channel's normalisation (and, for what it refuses, the dead letter
intake would publish) and the running HTTP gateway with generated and mutated payloads, and
tallies what became of every input.

A run passes when nothing raised but a refusal, every refusal has a reason, every input is
accounted for (accepted + ignored + refused = sent), and no output field holds a CPR number.
The slowest inputs are reported, not asserted: time is for the report (docs/intake.md). An
input is timed as the service would spend it: after the language model is loaded (the service
loads it at start), and with Python's cyclic garbage collector paused for the call, because a
full collection then walks hypothesis's own record of the run, which grows with every example and
which no service process holds.
"""

from __future__ import annotations

import gc
import heapq
import json
import logging
import re
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from aiokafka import ConsumerRecord
from hypothesis import HealthCheck, Phase, given, seed, settings

from services.intake.encoded import holds_cpr, holds_cpr_in_bytes, mask
from services.intake.handler import DEAD_LETTER, process_raw_batch
from services.intake.language import load_language_model
from services.intake.normalise import Failed, Ignored, Normalised, Read, Refused, read_messages
from shared.events import DeadLettered
from shared.topics import TopicNames, raw_topic
from tests.conftest import free_port
from tests.fuzz.payloads import Payload, any_payload
from tests.intake_claims import ClaimsInMemory
from tests.unit.intake.gateway_app import AUTHORISED, SALT, gateway_app

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
# pypdf reports each damaged font it works around at ERROR; with no handler of its own, Python
# prints every one: the report is the run's output.
logging.getLogger("pypdf").addHandler(logging.NullHandler())
NAMES = TopicNames("fuzz.")
_DIGIT_FOLD = {i: str(int(chr(i))) for i in range(0x10000) if chr(i).isdecimal()}
# Identifiers intake derives by hashing (inquiry ids, SHA-256 digests, keyed digests, citizen
# keys, a thread key "<channel>:h:<digest>") hold no personal data, but a run of hex digits spells a valid CPR pattern by chance
# ("…bc1408783271": about 1 SHA-256 digest in 400): they are not checked.
_DERIVED_ID = re.compile(
    r"(?:[a-z_]+:)?(?:h:|<?sha256:)?[0-9a-f]{64}>?|[0-9a-f]{32}"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _where(error: BaseException) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return f"{type(error).__name__} at {frame.filename.rsplit('/', 2)[-1]}:{frame.lineno}"


def _failed_at(failure: Failed) -> str:
    """As `_where` names an exception: its type and the innermost frame of its stack."""
    *_, (filename, line) = re.findall(r'File "([^"]+)", line (\d+)', failure.stack) or [("?", "?")]
    return f"{failure.error} at {filename.rsplit('/', 2)[-1]}:{line}"


@dataclass
class Tally:
    """What became of every input of a run."""

    target: str
    sent: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    unreasoned: int = 0
    crashes: Counter[str] = field(default_factory=Counter)
    leaks: Counter[str] = field(default_factory=Counter)
    planted: int = 0
    planted_digits_in_output: int = 0
    slowest: list[tuple[float, str, int]] = field(default_factory=list)
    over_a_second: int = 0
    # The inputs over a second themselves (the first twenty), to be replayed and looked into.
    slow_inputs: list[tuple[float, Payload]] = field(default_factory=list)
    dead_letters_checked: int = 0
    progress_every: int = 0  # print the report so far every so many inputs (0: never)

    def counted(self) -> None:
        if self.progress_every and self.total % self.progress_every == 0:
            print(self.report(), flush=True)

    def timed(self, seconds: float, payload: Payload) -> None:
        entry = (seconds, payload.how, len(payload.body))
        if len(self.slowest) < 5:
            heapq.heappush(self.slowest, entry)
        else:
            heapq.heappushpop(self.slowest, entry)
        if seconds > 1.0:
            self.over_a_second += 1
            if len(self.slow_inputs) < 20:
                self.slow_inputs.append((seconds, payload))

    def check(self, payload: Payload, where: str, strings: list[str], raw: bytes = b"") -> None:
        """No string that leaves intake, nor the bytes a dead letter carries (read as UTF-8 or
        as a single-byte character set), holds a CPR number in any spelling or encoding."""
        strings = [text for text in strings if not _DERIVED_ID.fullmatch(text)]
        if any(holds_cpr(text) for text in strings) or holds_cpr_in_bytes(raw):
            self.leaks[f"{payload.channel.value}: {where}"] += 1
            return
        if payload.planted:
            self.planted += 1
            seen = "".join(strings) + raw.decode("utf-8", "replace")
            digits = "".join(c for c in seen.translate(_DIGIT_FOLD) if c.isdigit())
            self.planted_digits_in_output += payload.planted in digits

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def failures(self) -> list[str]:
        failed = [f"unhandled {what}: {n}" for what, n in self.crashes.items()]
        failed += [f"CPR number in {where}: {n}" for where, n in self.leaks.items()]
        if self.unreasoned:
            failed.append(f"{self.unreasoned} refusals without a reason")
        accounted = sum(self.outcomes.values()) + sum(self.crashes.values())
        if accounted != self.total:
            failed.append(f"{self.total} sent, {accounted} accounted for")
        return failed

    def report(self) -> str:
        lines = [
            f"{self.target}: {self.total:,} inputs sent",
            "  by channel: " + ", ".join(f"{c} {n:,}" for c, n in sorted(self.sent.items())),
            "  outcomes:   " + ", ".join(f"{o} {n:,}" for o, n in sorted(self.outcomes.items())),
            f"  unhandled exceptions: {sum(self.crashes.values())}",
            f"  refusals without a reason: {self.unreasoned}",
            f"  CPR numbers in an output field: {sum(self.leaks.values())}",
            f"  inputs with a planted CPR number: {self.planted:,} (its ten digits still in the "
            f"output's digits, in a spelling not claimed: {self.planted_digits_in_output})",
            f"  refusals whose dead letter was checked: {self.dead_letters_checked:,}",
            f"  inputs over one second: {self.over_a_second}",
            "  slowest: "
            + "; ".join(
                f"{s:.2f} s {how} ({size:,} bytes)" for s, how, size in sorted(self.slowest)[::-1]
            ),
        ]
        return "\n".join(lines + [f"  FAILED: {f}" for f in self.failures()])


def _record(payload: Payload) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(
        topic=NAMES(raw_topic(payload.channel)),
        partition=0,
        offset=0,
        timestamp=0,
        timestamp_type=0,
        key=None,
        value=payload.body,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=len(payload.body),
        headers=[],
    )


def normalise_one(payload: Payload, tally: Tally, *, dead_letter_every: int = 1) -> None:
    """`dead_letter_every`: also build the dead letter of every so many refusals (it reads the
    message again, through the consumer's batch)."""
    tally.sent[payload.channel.value] += 1
    [result] = _timed_read(payload, tally)
    if isinstance(result, Refused):
        tally.outcomes["refused"] += 1
        reason = mask(result.reason).text
        tally.unreasoned += not reason.strip()
        if tally.outcomes["refused"] % dead_letter_every == 0:
            try:
                _check_dead_letter(payload, tally)
            except Exception as error:  # the consumer's batch would fail: a bug, counted
                tally.crashes[f"dead letter: {_where(error)}"] += 1
        return
    if isinstance(result, Failed):
        tally.crashes[_failed_at(result)] += 1
        return
    if isinstance(result, Ignored):
        tally.outcomes["ignored"] += 1
        tally.check(payload, "an ignored message's id", [result.channel_message_id])
        return
    assert isinstance(result, Normalised)
    tally.outcomes["accepted"] += 1
    published = json.loads(result.inquiry.model_dump_json())
    tally.check(payload, "the inquiry", list(_strings(published)))


def _timed_read(payload: Payload, tally: Tally) -> list[Read]:
    """Read one payload as intake does, timed with the cyclic collector paused (module doc)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        results = read_messages([(payload.channel, payload.body, {})], salt=SALT, now=NOW)
        tally.timed(time.perf_counter() - started, payload)
    finally:
        if collecting:
            gc.enable()
    return results


def _check_dead_letter(payload: Payload, tally: Tally) -> None:
    batch = process_raw_batch([_record(payload)], seen=ClaimsInMemory(), names=NAMES, salt=SALT)
    [(_, outcome)] = batch.outcomes
    if outcome != DEAD_LETTER:
        tally.crashes[f"a refusal that the batch did not dead-letter ({outcome})"] += 1
        return
    [outgoing] = batch.outgoing
    assert isinstance(outgoing.event, DeadLettered)
    tally.dead_letters_checked += 1
    letter = outgoing.event.dead_letter
    carried = letter.original
    tally.check(payload, "a dead letter", [letter.reason, *letter.headers.values()], carried)


def _hypothesis(count: int, run_seed: int) -> Any:
    return lambda test: seed(run_seed)(
        settings(
            max_examples=count,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(test)
    )


def fuzz_normalisation(
    count: int, run_seed: int = 0, *, dead_letter_every: int = 1, progress_every: int = 0
) -> Tally:
    tally = Tally("normalisation", progress_every=progress_every)
    load_language_model()  # as the service does at start, so no input pays for the loading

    @_hypothesis(count, run_seed)
    @given(any_payload())
    def drive(payload: Payload) -> None:
        normalise_one(payload, tally, dead_letter_every=dead_letter_every)
        tally.counted()

    drive()
    return tally


async def _count_published(*_: object) -> None:
    """Accepted: the 202 counts it (a broker's confirmation is the integration tests' part)."""


@contextmanager
def running_gateway() -> Iterator[str]:
    """The gateway served over a real socket by uvicorn, as the service serves it."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            # A rate no run reaches: every request is read rather than most of them answered
            # 429 (the limit has its own tests in tests/unit/intake/test_gateway_access.py).
            gateway_app(_count_published, rate_per_minute=100_000_000),
            host="127.0.0.1",
            port=port,
            log_level="error",
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


# Taken in turn rather than drawn: hypothesis favours some values of a small choice.
_REQUEST_KINDS = ["authorised"] * 8 + ["no key", "wrong key", "GET", "oversized"]


def fuzz_gateway(count: int, run_seed: int = 0, *, progress_every: int = 0) -> Tally:
    tally = Tally("gateway", progress_every=progress_every)
    load_language_model()  # the service's lifespan does; the gateway's app here has none
    with running_gateway() as url, httpx.Client(base_url=url, timeout=60) as client:

        @_hypothesis(count, run_seed)
        @given(any_payload())
        def drive(payload: Payload) -> None:
            kind = _REQUEST_KINDS[tally.total % len(_REQUEST_KINDS)]
            tally.sent[payload.channel.value] += 1
            headers = {"no key": {}, "wrong key": {"X-API-Key": "not-a-key"}}.get(kind, AUTHORISED)
            body = payload.body + b" " * 1_000_001 if kind == "oversized" else payload.body
            started = time.perf_counter()
            try:
                response = client.request(
                    "GET" if kind == "GET" else "POST",
                    f"/v1/intake/{payload.channel.value}",
                    content=body,
                    headers=headers,
                )
            except httpx.HTTPError as error:
                tally.crashes[_where(error)] += 1
                return
            finally:
                tally.timed(time.perf_counter() - started, payload)
            if response.status_code == 202:
                tally.outcomes["accepted"] += 1
            elif 400 <= response.status_code < 500:
                tally.outcomes[f"refused {response.status_code}"] += 1
                tally.unreasoned += not response.json().get("error")
            else:
                tally.crashes[f"HTTP {response.status_code}"] += 1
                return
            tally.check(payload, "the gateway's answer", list(_strings(response.json())))
            tally.counted()

        drive()
    return tally
