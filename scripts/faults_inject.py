"""The faults `pulseone faults` injects into a running platform, each at a stated time of the load
and each followed by its recovery: a replica killed with SIGKILL and started again, NATS stopped and
started on the same store, PostgreSQL restarted, a consumer paused past its ack wait."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scripts.metrics import sample_sum
from scripts.platform import SERVICES, Platform, service_spec
from scripts.stack import port_open, wait_until

Say = Callable[[str], None]


@dataclass
class Fault:
    """One fault: when it is due (seconds into the load), what it does, and what happened."""

    name: str
    at: float
    inject: Callable[[Fault], None]
    happened: bool = False
    facts: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def _pid(platform: Platform, instance: str) -> int:
    process = platform.services[instance]
    assert process.popen is not None
    return process.popen.pid


def kill_replica(platform: Platform, instance: str, down: float) -> Callable[[Fault], None]:
    """SIGKILL the replica (no graceful shutdown, its transactions cut mid-way), start it again
    after `down` seconds, and wait until it serves."""

    def inject(fault: Fault) -> None:
        spec = platform.spec_of(instance)
        old = _pid(platform, instance)
        os.killpg(old, signal.SIGKILL)
        platform.services[instance].popen.wait()  # type: ignore[union-attr]
        time.sleep(down)
        platform.start_instance(spec, instance)
        began = time.monotonic()
        platform.wait_serving(spec, timeout=90)
        new = _pid(platform, instance)
        serving = round(time.monotonic() - began, 1)
        fault.facts |= {"instance": instance, "oldPid": old, "newPid": new, "secondsToServe": serving}
        fault.happened = new != old

    return inject


def restart_nats(platform: Platform, down: float) -> Callable[[Fault], None]:
    """Stop nats-server, keep it down for `down` seconds, start it again on the same store."""

    def inject(fault: Fault) -> None:
        nats = platform.nats
        assert nats is not None
        began = time.monotonic()
        nats.stop()
        refused = not port_open("127.0.0.1", nats.port)
        time.sleep(down)
        nats.start()
        fault.facts |= {"secondsDown": round(time.monotonic() - began, 1), "portClosedWhileDown": refused}
        fault.happened = refused and nats.process is not None and nats.process.running

    return inject


def restart_postgres(platform: Platform) -> Callable[[Fault], None]:
    """Stop PostgreSQL (fast shutdown: every connection cut) and start it again."""

    def inject(fault: Fault) -> None:
        postgres = platform.postgres
        assert postgres is not None
        assert postgres.process is not None
        assert postgres.process.popen is not None
        old = postgres.process.popen.pid
        began = time.monotonic()
        postgres.stop()
        postgres.start()
        assert postgres.process.popen is not None
        new = postgres.process.popen.pid
        fault.facts |= {"oldPid": old, "newPid": new, "secondsDown": round(time.monotonic() - began, 1)}
        fault.happened = new != old

    return inject


def redeliveries(platform: Platform, service: str) -> float:
    """Events the service's consumers got again (after a timeout or a failure), summed over its
    instances' metrics (an instance restarted since counts from its restart)."""
    texts = platform.metrics_of(service_spec(service)).values()
    return sum(sample_sum(text, "pulseone_event_redeliveries_total", service=service) for text in texts)


def pause_consumer(platform: Platform, instance: str, seconds: float, attempts: int = 4) -> Callable[[Fault], None]:
    """SIGSTOP the instance for `seconds` (longer than its ack wait): what it fetched, or what the
    broker sent its waiting pull meanwhile, is not acknowledged in time and is delivered again (to
    another replica if there is one, else to it once it runs again); then SIGCONT.
    Whether it held anything at that instant is chance (its pull may have been empty), so the
    pause is repeated, up to `attempts` times, until the service's redeliveries grew."""

    def inject(fault: Fault) -> None:
        service = platform.spec_of(instance).name
        pid = _pid(platform, instance)
        before = redeliveries(platform, service)
        for attempt in range(1, attempts + 1):
            os.killpg(pid, signal.SIGSTOP)
            try:
                time.sleep(seconds)
            finally:
                os.killpg(pid, signal.SIGCONT)
            time.sleep(1.0)
            grown = redeliveries(platform, service) - before
            fault.facts |= {"instance": instance, "pid": pid, "secondsPaused": seconds, "pauses": attempt,
                            "redelivered": grown}  # fmt: skip
            if grown > 0:
                fault.happened = True
                return

    return inject


def schedule(platform: Platform, seconds: float, ack_wait: float) -> list[Fault]:
    """The faults of a load of `seconds`, each at a fixed share of it, in an order that lets each
    recover before the next: replicas first, then the broker, the database, the paused consumer."""
    down = max(1.0, seconds * 0.03)
    return [
        Fault("kill -9 appointments replica", seconds * 0.10, kill_replica(platform, "appointments", down)),
        Fault("kill -9 inventory replica", seconds * 0.20, kill_replica(platform, "inventory-2", down)),
        Fault("stop and restart NATS", seconds * 0.35, restart_nats(platform, max(3.0, seconds * 0.08))),
        Fault("restart PostgreSQL", seconds * 0.55, restart_postgres(platform)),
        Fault(
            "pause profile past its ack wait",
            seconds * 0.72,
            # Profile: one instance, the busiest consumer (every booking and status change reaches
            # it), so its pull is seldom empty when it stops; a second appointments replica mostly
            # held nothing, as the other took the events (CI saw four empty pauses in a row).
            pause_consumer(platform, "profile", ack_wait * 2),
        ),
    ]


class Injector:
    """Runs the faults on their schedule in a thread of its own while the load runs."""

    def __init__(self, faults: list[Fault], say: Say) -> None:
        self.faults = faults
        self.say = say
        self._thread = threading.Thread(target=self._run, name="faults", daemon=True)
        self._began = 0.0

    def start(self) -> None:
        self._began = time.monotonic()
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        for fault in self.faults:
            time.sleep(max(0.0, self._began + fault.at - time.monotonic()))
            fault.facts["startedAt"] = round(time.monotonic() - self._began, 1)
            self.say(f"  t={fault.facts['startedAt']:5.1f} s  {fault.name}")
            try:
                fault.inject(fault)
            except Exception as error:  # noqa: BLE001 - reported as a fault that did not happen
                fault.error = repr(error)
            fault.facts["recoveredAt"] = round(time.monotonic() - self._began, 1)
            self.say(f"  t={fault.facts['recoveredAt']:5.1f} s  {fault.name}: {fault.facts}")


def wait_recovered(platform: Platform, timeout: float = 60) -> None:
    """Every instance serving again (a fault may have ended with one still starting)."""
    for spec in SERVICES:
        platform.wait_serving(spec, timeout)
    wait_until(platform.gateway_healthy, timeout, "the gateway's /health")
