"""The faults of a chaos run, drawn from a seeded random generator before it starts, and carried
out on the real processes: SIGKILL to a service instance's recorded pid and its restart by
deploy/pipeline, SIGKILL to a broker and its restart, a broker stopped for a while, and the SMTP
sink refusing or stalling."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.chaos.sink import ACCEPT, REFUSE, STALL, SmtpSink
from benchmarks.pipeline import SERVICES
from shared.settings import REPO_ROOT

PIPELINE = REPO_ROOT / "deploy" / "pipeline"
CLUSTER = REPO_ROOT / "deploy" / "kafka" / "cluster"
# Seconds between a SIGKILL and the restart: long enough for the group to notice.
RESTART_AFTER = 3.0
# A service that cannot start (a broker it needs is still coming back) is started again, as a
# supervisor would, this many times at most, RESTART_AFTER apart.
START_ATTEMPTS = 5


@dataclass(frozen=True)
class Fault:
    at: float  # seconds after the feed started
    kind: str  # kill, broker-kill, broker-stop, smtp
    target: str  # an instance name ("triage-2"), a broker node ("2") or a sink mode
    seconds: float = 0.0  # how long a broker stays stopped, or the sink misbehaves

    def describe(self) -> str:
        what = {
            "kill": f"SIGKILL {self.target}, restart",
            "broker-kill": f"SIGKILL broker {self.target}, restart",
            "broker-stop": f"stop broker {self.target} for {self.seconds:.0f} s",
            "smtp": f"SMTP sink {self.target} for {self.seconds:.0f} s",
        }[self.kind]
        return f"{self.at:6.1f} s  {what}"


# The outcome a kill is logged with, the moment the signal went: read back by kill_moments.
KILLED = "killed pid"


def instance_name(service: str, number: int) -> str:
    return service if number == 1 else f"{service}-{number}"


def kill_moments(log: Iterable[Mapping[str, object]], service: str) -> list[float]:
    """When an instance of `service` was killed, in seconds after the faults began, from the
    faults' log."""
    return sorted(
        float(str(entry["at"]))
        for entry in log
        if entry["fault"] == "kill"
        and str(entry["outcome"]).startswith(KILLED)
        and (entry["target"] == service or str(entry["target"]).startswith(f"{service}-"))
    )


def plan_faults(
    *,
    seed: int,
    duration: float,
    instances: int,
    kills_per_service: int,
    broker_kill: bool,
    broker_outage: float,
    smtp_trouble: float,
) -> list[Fault]:
    """Kills at random moments of the feed, each instance of a service in turn; the broker kill in
    the first half and the outage in the second, on different nodes."""
    rng = random.Random(seed)
    faults = []
    for service in SERVICES:
        first = rng.randrange(instances)
        for k in range(kills_per_service):
            number = (first + k) % instances + 1
            at = rng.uniform(0.1, 0.9) * duration
            faults.append(Fault(at, "kill", instance_name(service, number)))
    nodes = rng.sample(["1", "2", "3"], 2)
    if broker_kill:
        faults.append(Fault(rng.uniform(0.2, 0.4) * duration, "broker-kill", nodes[0]))
    if broker_outage > 0:
        faults.append(
            Fault(rng.uniform(0.5, 0.6) * duration, "broker-stop", nodes[1], broker_outage)
        )
    if smtp_trouble > 0:
        at = rng.uniform(0.2, 0.5) * duration
        faults.append(Fault(at, "smtp", REFUSE, smtp_trouble / 2))
        faults.append(Fault(at + smtp_trouble / 2, "smtp", STALL, smtp_trouble / 2))
    return sorted(faults, key=lambda f: f.at)


class Faults:
    """Carries the plan out against processes that deploy/pipeline and deploy/kafka/cluster
    started and recorded; every action and its outcome goes in `log`."""

    def __init__(
        self,
        *,
        pipeline_env: dict[str, str],
        cluster_env: dict[str, str] | None,
        sink: SmtpSink,
        say: Callable[[str], None],
    ) -> None:
        self.pipeline_env = pipeline_env
        self.cluster_env = cluster_env
        self.sink = sink
        self.say = say
        self.log: list[dict[str, object]] = []
        self.failures: list[str] = []
        self._start = time.monotonic()
        # One broker down at a time: the outage waits until a killed broker is back, since two
        # of three down would stop every write (min ISR 2) and the controllers' quorum.
        self._brokers_whole = asyncio.Event()
        self._brokers_whole.set()
        # An instance is killed again only once its last restart is over.
        self._instances: dict[str, asyncio.Lock] = {}

    def _note(self, fault: Fault, outcome: str) -> None:
        at = round(time.monotonic() - self._start, 1)
        self.log.append(
            {
                "at": at,
                "planned_at": round(fault.at, 1),
                "fault": fault.kind,
                "target": fault.target,
                "outcome": outcome,
            }
        )
        self.say(f"  [{at:6.1f} s] {fault.kind} {fault.target}: {outcome}")

    async def run(self, plan: list[Fault]) -> None:
        self._start = time.monotonic()
        await asyncio.gather(*(self._at(fault) for fault in plan))

    async def _at(self, fault: Fault) -> None:
        await asyncio.sleep(max(0.0, self._start + fault.at - time.monotonic()))
        try:
            if fault.kind == "kill":
                await self._kill_service(fault)
            elif fault.kind in ("broker-kill", "broker-stop"):
                await self._brokers_whole.wait()
                self._brokers_whole.clear()
                try:
                    if fault.kind == "broker-kill":
                        await self._broker(fault, "kill", then_after=RESTART_AFTER)
                    else:
                        await self._broker(fault, "down", then_after=fault.seconds)
                finally:
                    self._brokers_whole.set()
            else:
                self.sink.mode = fault.target
                self._note(fault, f"SMTP sink {fault.target}s")
                await asyncio.sleep(fault.seconds)
                if self.sink.mode == fault.target:
                    self.sink.mode = ACCEPT
        except Exception as error:
            self.failures.append(f"{fault.describe()}: {error}")
            self._note(fault, f"FAILED: {error}")

    def _pid(self, instance: str) -> int:
        pid_file = Path(self.pipeline_env["STATE_DIR"]) / "pids" / f"{instance}.pid"
        return int(pid_file.read_text()) if pid_file.exists() else 0

    def not_running(self, instances: Iterable[str]) -> list[str]:
        """The instances whose process is gone: after the faults are done, one that stopped
        on its own (a service stops itself when it cannot go on)."""
        return [i for i in instances if not (pid := self._pid(i)) or not _alive(pid)]

    async def _kill_service(self, fault: Fault) -> None:
        async with self._instances.setdefault(fault.target, asyncio.Lock()):
            pid = self._pid(fault.target)
            if not pid or not _alive(pid):
                raise RuntimeError(f"{fault.target} was not running to be killed")
            os.kill(pid, signal.SIGKILL)
            self._note(fault, f"{KILLED} {pid}")
            for attempt in range(1, START_ATTEMPTS + 1):
                await asyncio.sleep(RESTART_AFTER)
                try:
                    await _run(PIPELINE, "up", fault.target, env=self.pipeline_env)
                except RuntimeError as error:
                    if attempt == START_ATTEMPTS:
                        raise
                    self._note(fault, f"start {attempt} failed, again: {str(error)[-160:]}")
                else:
                    self._note(fault, f"restarted and ready (start {attempt})")
                    return

    async def _broker(self, fault: Fault, how: str, *, then_after: float) -> None:
        if self.cluster_env is None:
            self._note(fault, "skipped: the cluster is not ours (--bootstrap)")
            return
        await _run(CLUSTER, "node", fault.target, how, env=self.cluster_env)
        self._note(fault, "killed" if how == "kill" else "stopped")
        await asyncio.sleep(then_after)
        await _run(CLUSTER, "node", fault.target, "up", env=self.cluster_env)
        self._note(fault, "restarted and ready")


def _alive(pid: int) -> bool:
    """Running, not merely unreaped: an exited process whose parent never waited for it (a
    container's init may not) still takes signal 0."""
    try:
        # The command name may hold spaces; the state is the first field after it (proc(5)).
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


async def _run(*command: object, env: dict[str, str], timeout: float = 300) -> None:
    process = await asyncio.create_subprocess_exec(
        *map(str, command),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise RuntimeError(f"{' '.join(map(str, command))} took over {timeout:.0f} s") from None
    if process.returncode:
        tail = out.decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(map(str, command))} failed: {' | '.join(tail)}")
