"""`pulseone faults` at a size CI affords: every fault struck and was recovered from, the load got
enough definite answers to mean something, and nothing the platform replied or published was lost
or done twice (SPEC 5, "Nothing lost"; SPEC 1, requestId idempotency)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.faults import Options, Report, run, save, text

SECONDS, CLIENTS = 40, 6


@pytest.fixture(scope="module")
def report() -> Report:
    return run(Options(seconds=SECONDS, clients=CLIENTS), say=lambda _: None)


def _fault(report: Report, name: str) -> dict[str, object]:
    return next(f for f in report.faults if f["name"].startswith(name))


def test_every_fault_struck_and_was_recovered_from(report: Report) -> None:
    assert all(f["happened"] and not f["error"] for f in report.faults), report.faults
    for name in ("kill -9 appointments", "kill -9 inventory"):
        killed = _fault(report, name)
        assert killed["newPid"] != killed["oldPid"], killed
    nats = _fault(report, "stop and restart NATS")
    assert nats["portClosedWhileDown"] is True
    assert float(nats["secondsDown"]) >= 3  # type: ignore[arg-type]
    postgres = _fault(report, "restart PostgreSQL")
    assert postgres["newPid"] != postgres["oldPid"]


def test_the_paused_consumers_events_were_redelivered_and_handled_once(report: Report) -> None:
    # Events the stopped replica held past its ack wait came again, to the other replica, and each
    # was handled once.
    paused = _fault(report, "pause a profile replica")
    assert paused["held"] >= 1, paused  # type: ignore[operator]
    assert paused["redelivered"] >= 1, paused  # type: ignore[operator]
    assert report.redeliveries["profile"] >= 1, report.redeliveries
    assert report.consumers["profile"]["missingCount"] == 0


def test_the_load_got_enough_definite_answers_to_mean_something(report: Report) -> None:
    successes = {kind: counts.get("success", 0) for kind, counts in report.requests.items()}
    for kind in ("book", "cancel", "reschedule", "prescribe", "dispense-prescription", "dispense-stock"):
        assert successes.get(kind, 0) >= 5, (kind, report.requests)
    assert sum(successes.values()) >= 300, report.requests
    assert report.retried >= 1, "no request met a fault"


def test_nothing_replied_or_published_was_lost_or_done_twice(report: Report, tmp_path: Path) -> None:
    save(report, tmp_path / "faults.json")
    figures = json.loads((tmp_path / "faults.json").read_text())
    assert {c["name"].split(":")[0] for c in figures["checks"]} == {
        "appointments", "prescriptions", "inventory", "events", "outbox", "dead letters", "invariants",
    }  # fmt: skip
    assert all(c["checked"] > 0 for c in figures["checks"]), figures["checks"]
    assert figures["violations"] == 0, "\n".join(text(report))
    assert figures["passed"]
