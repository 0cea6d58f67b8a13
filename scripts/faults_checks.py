"""What `pulseone faults` checks once the platform has settled: every success the load was replied
has its effect exactly once (and every refusal none), every event reached each consumer that
subscribes to it exactly once, no outbox row is stuck, no dead letter, and the invariants hold."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import nats
import psycopg

from scripts.bench_dispense import UNITS
from scripts.bench_schedule import service_database
from scripts.faults_load import Request
from scripts.platform import SERVICES, Platform
from services.common.messaging import DEAD_LETTER_STREAM, STREAM


@dataclass
class Check:
    """One check: how many things it looked at, how many broke it, and examples of those."""

    name: str
    checked: int = 0
    violations: int = 0
    examples: list[str] = field(default_factory=list)

    def expect(self, ok: bool, example: str) -> None:
        self.checked += 1
        if not ok:
            self.violations += 1
            if len(self.examples) < 5:
                self.examples.append(example)


def _rows(platform: Platform, service: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(service_database(platform, service)) as connection:
        return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]


def _of(requests: list[Request], kind: str, *outcomes: str) -> list[Request]:
    return [r for r in requests if r.kind == kind and r.outcome in outcomes]


def _ids(requests: Iterable[Request]) -> list[str]:
    return [r.request_id for r in requests if r.request_id]


# (a) effects


def appointment_effects(platform: Platform, requests: list[Request]) -> Check:
    """A booking or rescheduling replied once is one row under its requestId, the replied one; one
    refused or never answered has at most that one; a replied cancel left it CANCELLED, a replied
    start left it IN_PROGRESS, and a rescheduled appointment was cancelled and moved exactly once."""
    check = Check("appointments: each replied booking, reschedule, cancel, start has its effect once")
    wanted = [r for r in requests if r.kind in ("book", "reschedule")]
    rows = _rows(
        platform, "appointments",
        "SELECT request_id::text, id::text, status, rescheduled_from_id::text FROM appointments"
        " WHERE request_id = ANY(%s::uuid[])", _ids(wanted),
    )  # fmt: skip
    by_request: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_request.setdefault(row[0], []).append(row)
    for request in wanted:
        found = by_request.get(request.request_id or "", [])
        if request.outcome == "success":
            expected = (request.reply["id"], request.subject or None)
            ok = [(r[1], r[3]) for r in found] == [expected]
            check.expect(ok, f"{request.kind} {request.request_id} replied {expected}, database holds {found}")
        elif request.outcome == "refused":
            check.expect(not found, f"{request.kind} {request.request_id} refused ({request.reason}) but made {found}")
        else:
            check.expect(len(found) <= 1, f"{request.kind} {request.request_id} unanswered, made {found}")
    statuses = dict(_rows(platform, "appointments", "SELECT id::text, status FROM appointments"))
    moved = Counter(
        row[0] for row in _rows(platform, "appointments", "SELECT rescheduled_from_id::text FROM appointments")
    )
    for request in [*_of(requests, "cancel", "success", "refused"), *_of(requests, "reschedule", "success")]:
        if request.outcome == "success" or request.confirmed:
            status = statuses.get(request.subject)
            check.expect(status == "CANCELLED", f"{request.kind} of {request.subject} replied, status {status}")
    for request in _of(requests, "reschedule", "success"):
        check.expect(moved[request.subject] == 1, f"{request.subject} rescheduled {moved[request.subject]} times")
    for request in _of(requests, "start", "success", "refused"):
        if request.outcome == "success" or request.confirmed:
            status = statuses.get(request.subject)
            check.expect(status == "IN_PROGRESS", f"start of {request.subject} replied, status {status}")
    return check


def prescription_effects(platform: Platform, requests: list[Request]) -> Check:
    """A prescription replied once exists once under its requestId, for its appointment; a
    dispense replied once is one dispensation, the prescription FILLED with its units recorded."""
    check = Check("prescriptions: each replied prescribe and dispense has its effect once")
    prescribed = [r for r in requests if r.kind == "prescribe"]
    rows = _rows(
        platform, "prescriptions",
        "SELECT request_id::text, id::text, appointment_id::text FROM prescriptions WHERE request_id = ANY(%s::uuid[])",
        _ids(prescribed),
    )  # fmt: skip
    made = _grouped(rows)
    for request in prescribed:
        found = [(r[1], r[2]) for r in made.get(request.request_id or "", [])]
        if request.outcome == "success":
            replied = [(request.reply["id"], request.subject)]
            check.expect(found == replied, f"prescribe {request.request_id} replied {replied}, holds {found}")
        else:
            allowed = 1 if request.outcome == "unknown" else 0
            check.expect(len(found) <= allowed, f"prescribe {request.request_id} {request.outcome}, made {found}")
    dispensed = [r for r in requests if r.kind == "dispense-prescription"]
    rows = _rows(
        platform, "prescriptions",
        "SELECT d.request_id::text, d.prescription_id::text, p.status,"
        " (SELECT sum(dispensed_quantity) FROM prescription_items i WHERE i.prescription_id = p.id)"
        " FROM dispensations d JOIN prescriptions p ON p.id = d.prescription_id WHERE d.request_id = ANY(%s::uuid[])",
        _ids(dispensed),
    )  # fmt: skip
    made = _grouped(rows)
    for request in dispensed:
        found = [tuple(r[1:]) for r in made.get(request.request_id or "", [])]
        if request.outcome == "success":
            expected: list[tuple[Any, ...]] = [(request.subject, "FILLED", UNITS)]
            check.expect(found == expected, f"dispense {request.request_id} replied, holds {found}")
        elif request.outcome == "refused":
            check.expect(not found, f"dispense {request.request_id} refused ({request.reason}), made {found}")
        else:
            check.expect(len(found) <= 1, f"dispense {request.request_id} unanswered, made {found}")
    return check


def _grouped(rows: list[tuple[Any, ...]]) -> dict[str, list[tuple[Any, ...]]]:
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


def stock_effects(platform: Platform, requests: list[Request]) -> Check:
    """A direct dispense replied once took its units once (the ledger lines of its reference sum to
    it); one refused took nothing; one never answered took them at most once. Each dispensed
    prescription's units left the pharmacy's stock once."""
    check = Check("inventory: each replied dispense took its units once, refused ones none")
    taken = dict(
        _rows(
            platform, "inventory",
            "SELECT reference, -sum(quantity) FROM stock_transactions WHERE type = 'DISPENSE' GROUP BY reference",
        )
    )  # fmt: skip
    for request in [r for r in requests if r.kind == "dispense-stock"]:
        assert request.body is not None
        units = request.body["lines"][0]["quantity"]
        got = taken.get(request.subject, 0)
        allowed = {"success": {units}, "refused": {0}, "unknown": {0, units}}[request.outcome]
        check.expect(got in allowed, f"dispense {request.subject} {request.outcome}: {got} taken for {units}")
    for request in _of(requests, "dispense-prescription", "success"):
        got = taken.get(request.subject, 0)
        check.expect(got == UNITS, f"prescription {request.subject} dispensed: {got} units taken for {UNITS}")
    return check


# (b), (c), (d) events


@dataclass
class Events:
    """Per consumer: events it subscribes to (outbox rows of every service on its subjects), how
    many of them its inbox holds, the missing ones; unsent outbox rows; dead letters by subject."""

    consumers: dict[str, dict[str, Any]]
    unsent: dict[str, int]
    dead_letters: dict[str, int]


async def _nats_facts(url: str) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Each durable consumer's subjects, and the dead letters by subject."""
    client = await nats.connect(url, connect_timeout=5)
    try:
        js = client.jetstream()
        subjects = {}
        for spec in SERVICES:
            info = await js.consumer_info(STREAM, spec.name)
            subjects[spec.name] = list(info.config.filter_subjects or [info.config.filter_subject or ""])
        dead = await js.stream_info(DEAD_LETTER_STREAM, subjects_filter=">")
        return subjects, dict(dead.state.subjects or {})
    finally:
        await client.close()


def _matches(subject: str, patterns: list[str]) -> bool:
    return any(_match(subject.split("."), pattern.split(".")) for pattern in patterns)


def _match(tokens: list[str], pattern: list[str]) -> bool:
    for n, part in enumerate(pattern):
        if part == ">":
            return len(tokens) > n
        if n >= len(tokens) or (part != "*" and part != tokens[n]):
            return False
    return len(tokens) == len(pattern)


def events(platform: Platform) -> Events:
    subjects, dead = asyncio.run(_nats_facts(platform.events_url()))
    outbox: list[tuple[str, str]] = []
    unsent = {}
    for spec in SERVICES:
        rows = _rows(platform, spec.name, "SELECT event_id::text, subject, sent_at IS NULL FROM outbox")
        outbox += [(event_id, subject) for event_id, subject, _ in rows]
        unsent[spec.name] = sum(1 for *_, pending in rows if pending)
    published = {event_id for event_id, _ in outbox}
    consumers = {}
    for spec in SERVICES:
        expected = {event_id for event_id, subject in outbox if _matches(subject, subjects[spec.name])}
        handled = {row[0] for row in _rows(platform, spec.name, "SELECT event_id::text FROM inbox")}
        consumers[spec.name] = {
            "subscribedEvents": len(expected),
            "inbox": len(handled & expected),
            "missing": sorted(expected - handled)[:10],
            "missingCount": len(expected - handled),
            "unknownInInbox": len(handled - published),
        }
    return Events(consumers, unsent, dead)


def event_checks(found: Events) -> list[Check]:
    delivered = Check("events: every outbox event in each subscribing consumer's inbox exactly once")
    for name, figures in found.consumers.items():
        delivered.expect(
            figures["missingCount"] == 0 and figures["unknownInInbox"] == 0,
            f"{name}: {figures['inbox']}/{figures['subscribedEvents']} handled, missing {figures['missing']},"
            f" {figures['unknownInInbox']} handled events no outbox holds",
        )
    stuck = Check("outbox: no row left unpublished")
    for name, count in found.unsent.items():
        stuck.expect(count == 0, f"{name}: {count} unsent")
    dead = Check("dead letters: none")
    dead.expect(not found.dead_letters, f"dead letters by subject: {found.dead_letters}")
    return [delivered, stuck, dead]


# (e) invariants

INVARIANTS: list[tuple[str, str, str]] = [
    (
        "appointments", "occurrences over capacity",
        "SELECT count(*) FROM (SELECT a.session_id, a.appointment_date, count(*) AS held,"
        " max(coalesce(o.max_queue_size, s.max_queue_size)) AS capacity, max(a.queue_number) AS top"
        " FROM appointments a JOIN sessions s ON s.id = a.session_id LEFT JOIN session_overrides o"
        " ON o.session_id = a.session_id AND o.date = a.appointment_date WHERE a.status <> 'CANCELLED'"
        " GROUP BY 1, 2 HAVING count(*) > max(coalesce(o.max_queue_size, s.max_queue_size))"
        " OR max(a.queue_number) > max(coalesce(o.max_queue_size, s.max_queue_size))) AS over",
    ),
    (
        "appointments", "queue numbers held twice in an occurrence",
        "SELECT count(*) FROM (SELECT 1 FROM appointments WHERE status <> 'CANCELLED'"
        " GROUP BY session_id, appointment_date, queue_number HAVING count(*) > 1) AS twice",
    ),
    (
        "appointments", "patients with two active appointments with a doctor on a day",
        "SELECT count(*) FROM (SELECT 1 FROM appointments WHERE status IN ('BOOKED', 'CHECKED_IN', 'IN_PROGRESS')"
        " GROUP BY patient_id, doctor_id, appointment_date HAVING count(*) > 1) AS twice",
    ),
    ("inventory", "batches with negative stock", "SELECT count(*) FROM batches WHERE quantity < 0"),
    (
        "inventory", "batches whose ledger does not sum to their quantity",
        "SELECT count(*) FROM (SELECT b.id FROM batches b LEFT JOIN stock_transactions t ON t.batch_id = b.id"
        " GROUP BY b.id HAVING b.quantity <> coalesce(sum(t.quantity), 0)) AS off",
    ),
    (
        "inventory", "items whose ledger does not sum to their batches",
        "SELECT count(*) FROM (SELECT c.id FROM catalog_items c"
        " WHERE (SELECT coalesce(sum(quantity), 0) FROM batches WHERE catalog_item_id = c.id)"
        " <> (SELECT coalesce(sum(quantity), 0) FROM stock_transactions WHERE catalog_item_id = c.id)) AS off",
    ),
    (
        "prescriptions", "items whose dispensed quantity is not the sum of their dispensations",
        "SELECT count(*) FROM prescription_items i WHERE i.dispensed_quantity <> coalesce(("
        "SELECT sum((l->>'quantity')::int) FROM dispensations d, jsonb_array_elements(d.lines) l"
        " WHERE d.prescription_id = i.prescription_id"
        " AND l->>'itemId' = i.id::text), 0) OR i.dispensed_quantity > i.quantity",
    ),
]  # fmt: skip


def invariants(platform: Platform) -> Check:
    check = Check("invariants: capacity, queue numbers, stock, ledger sums, dispensed quantities")
    for service, what, sql in INVARIANTS:
        [(count,)] = _rows(platform, service, sql)
        check.expect(count == 0, f"{service}: {count} {what}")
    dispensed = dict(
        _rows(platform, "prescriptions", "SELECT prescription_id::text, sum(dispensed_quantity) FROM prescription_items"
              " GROUP BY 1 HAVING sum(dispensed_quantity) > 0")
    )  # fmt: skip
    taken = dict(
        _rows(platform, "inventory", "SELECT reference, -sum(quantity) FROM stock_transactions WHERE type = 'DISPENSE'"
              " AND reference = ANY(%s) GROUP BY 1", list(dispensed))
    )  # fmt: skip
    for prescription_id, units in dispensed.items():
        got = taken.get(prescription_id)
        check.expect(got == units, f"prescription {prescription_id}: {units} dispensed, {got} taken from stock")
    return check
