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

import httpx

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


def redeliveries(platform: Platform, service: str, *, besides: str = "") -> float:
    """Events the service's consumers got again (after a timeout or a failure), summed over its
    instances' metrics (an instance restarted since counts from its restart), leaving out the
    instance `besides` (a stopped process answers no scrape)."""
    return sum(
        sample_sum(platform.metrics_text(instance), "pulseone_event_redeliveries_total", service=service)
        for instance in platform.instances(service_spec(service))
        if instance != besides
    )


def ack_pending(platform: Platform, durable: str) -> int:
    """Events JetStream has delivered to the durable consumer's pulls and not had acknowledged,
    from nats-server's monitoring endpoint."""
    assert platform.nats is not None
    found = httpx.get(
        f"http://127.0.0.1:{platform.nats.monitor_port}/jsz", params={"consumers": "true"}, timeout=5
    ).json()
    return sum(
        consumer["num_ack_pending"]
        for account in found.get("account_details", [])
        for stream in account.get("stream_detail", [])
        for consumer in stream.get("consumer_detail", [])
        if consumer["name"] == durable
    )


def pause_consumer(platform: Platform, instance: str, ack_wait: float, attempts: int = 20) -> Callable[[Fault], None]:
    """SIGSTOP one replica of a consumer that has another, with events delivered to it and not
    acknowledged: past the ack wait JetStream delivers them again, to the other replica, which
    handles each once (the inbox). Then SIGCONT.

    Whether the stopped replica holds anything is chance: its waiting pull expires within a
    second, and the broker may give what comes meanwhile to the other replica. So the broker is
    asked: if once the stopped pull expired nothing delivered stays unacknowledged, the replica is
    let go and stopped again a second later, up to `attempts` times.

    A lone consumer would not do: running again, it acknowledges what it held before it pulls, and
    JetStream takes a late ack of an event no pull has been given again yet (CI saw four pauses of
    a lone profile without one redelivery)."""

    def inject(fault: Fault) -> None:
        spec = platform.spec_of(instance)
        assert len(platform.instances(spec)) > 1, f"{spec.name} needs a second replica"
        pid = _pid(platform, instance)
        for attempt in range(1, attempts + 1):
            before = redeliveries(platform, spec.name, besides=instance)
            os.killpg(pid, signal.SIGSTOP)
            began = time.monotonic()
            try:
                held, grown = _held(platform, spec.name), 0.0
                # Past the ack wait of what came last to the stopped pull, until the other
                # replica was given it again.
                while held and time.monotonic() - began < ack_wait * 3:
                    time.sleep(0.5)
                    grown = redeliveries(platform, spec.name, besides=instance) - before
                    if grown and time.monotonic() - began > ack_wait + 1:
                        break
            finally:
                os.killpg(pid, signal.SIGCONT)
            fault.facts |= {"instance": instance, "pid": pid, "pauses": attempt, "held": held,
                            "secondsPaused": round(time.monotonic() - began, 1), "redelivered": grown}  # fmt: skip
            if grown:
                fault.happened = True
                return
            time.sleep(1.0)  # running again: its next pull is the one the next pause catches

    return inject


def _held(platform: Platform, durable: str) -> int:
    """What a stopped replica holds: once its last pull has expired (a second), the events still
    unacknowledged at three looks (the running replica acknowledges its own within milliseconds;
    the stopped one never does)."""
    time.sleep(1.2)
    looks = []
    for _ in range(3):
        looks.append(ack_pending(platform, durable))
        time.sleep(0.3)
    return min(looks)


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
            "pause a profile replica past its ack wait",
            seconds * 0.72,
            # Profile: the busiest consumer (every booking and status change reaches it), so a
            # stopped pull is seldom empty; a second appointments replica mostly held nothing.
            pause_consumer(platform, "profile-2", ack_wait),
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
