"""What bounds the platform's figures, measured on the same machine in the same run: PostgreSQL alone
running the appointments service's own booking statements, PostgreSQL booking in one round trip on a
plain schema, and the cheapest real RPC (the public JWKS) straight to auth and through the gateway."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psycopg

from scripts.bench_load import pgbench
from scripts.bench_measure import Check, Run
from scripts.bench_schedule import CAPACITY, CURRENCY, FEE, MINUTES, START, ZONE, Schedule, service_database
from scripts.platform import Platform, service_spec
from scripts.stack import create_databases, database_url
from services.appointments.store.appointments import BOOK
from services.appointments.store.sessions import SESSION_ON, SESSION_ON_CONSTANTS
from services.common import event_catalogue as catalogue

CEILING_MARK = "bench-ceiling"
"""The request id on the events of the pgbench bookings, so the bench can drop them unpublished."""
PLAIN_DATABASE = "benchplaindb"
PARAMETER = re.compile(r"%\((\w+)\)s")
RANDOM_PATIENT = r"\set patient random(1, 9223372036854775806)"
PATIENT = "lpad(to_hex(:patient::bigint), 32, '0')::uuid"
"""A different patient each transaction: a random 63-bit number written as a uuid."""


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def pgbench_statement(statement: str, values: Mapping[str, str]) -> str:
    """A psycopg statement as pgbench runs it: each `%(name)s` replaced by the SQL that gives its
    value (a literal, a pgbench variable, or an expression of them), ended by a semicolon. Refuses
    a statement whose parameters the bench does not know: the service's SQL changed."""
    unknown = set(PARAMETER.findall(statement)) - values.keys()
    if unknown:
        raise SystemExit(f"the booking's SQL takes parameters the bench does not fill: {', '.join(sorted(unknown))}")
    return PARAMETER.sub(lambda match: values[match.group(1)], statement).strip() + ";"


def booking_transaction(schedule: Schedule) -> str:
    """The pgbench script of the appointments service's booking of a dated place: its two statements
    (the session with its override of the day, then `book_appointment_with_event`, which writes the
    appointment, its history and its outbox row), each a transaction of its own as on the service's
    autocommit connection, with the values the service would send for a patient booking themselves
    on a random date of the schedule. Constants travel as literals, what varies as parameters."""
    day = f"({_literal(schedule.first_day)}::date + :d::int)"
    session = f"(ARRAY[{', '.join(map(_literal, schedule.sessions))}]::uuid[])[:s::int]"
    session_on = {name: _literal(value) for name, value in SESSION_ON_CONSTANTS.items()}
    session_on |= {"session_id": session, "day": day}
    book = {
        "session_id": session, "appointment_date": day, "patient_id": PATIENT, "booked_by": PATIENT,
        "doctor_id": _literal(schedule.doctor_id), "clinic_id": "NULL", "appointment_type": "'VIRTUAL'",
        "chief_complaint": "''", "capacity": str(CAPACITY),
        "occurrence_start": f"({day} + {_literal(START)}::time) AT TIME ZONE {_literal(ZONE)}",
        "estimated_consultation_minutes": str(MINUTES), "fee": _literal(FEE), "currency": _literal(CURRENCY),
        "request_id": "NULL", "actor_role": "'PATIENT'", "rescheduled_from_id": "NULL",
        "event_id": "gen_random_uuid()", "event_subject": _literal(catalogue.APPOINTMENT_BOOKED.subject),
        "event_time": "now()", "event_request_id": _literal(CEILING_MARK),
    }  # fmt: skip
    return "\n".join(
        [
            rf"\set d random(0, {schedule.days - 1})",
            rf"\set s (:d + {schedule.first_day.weekday()}) % 7 + 1",
            RANDOM_PATIENT,
            pgbench_statement(SESSION_ON, session_on),
            pgbench_statement(BOOK, book),
            "",
        ]
    )


@contextmanager
def appointments_paused(platform: Platform) -> Iterator[None]:
    """The appointments service stopped (SIGSTOP) while PostgreSQL alone runs its transaction: its
    relay would otherwise publish every pgbench booking, and three services would spend minutes
    consuming them. Afterwards the events of those bookings are deleted unpublished, then it resumes."""
    process = platform.services["appointments"].popen
    assert process is not None
    os.killpg(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        with psycopg.connect(service_database(platform, "appointments"), autocommit=True) as connection:
            connection.execute(
                "DELETE FROM outbox WHERE sent_at IS NULL AND payload_json->'metadata'->>'requestId' = %s",
                (CEILING_MARK,),
            )
        os.killpg(process.pid, signal.SIGCONT)
        platform.wait_serving(service_spec("appointments"))


# One round trip on a plain schema

PLAIN_SCHEMA = """
CREATE TABLE occurrence (id int PRIMARY KEY, capacity int NOT NULL);
CREATE TABLE appointment (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurrence_id int NOT NULL,
    patient_id uuid NOT NULL,
    queue_number int NOT NULL,
    booked_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (occurrence_id, queue_number)
);
"""
# Locks the occurrence, counts its bookings and inserts the next number in one statement. The count
# reads the statement's snapshot, taken before it waited for the lock, so under contention it can
# offer a number just taken (reference/performance-notes.md): that booking inserts nothing rather
# than abort the client, and the bench counts the rows inserted, not the statements.
PLAIN_BOOKING = """
WITH locked AS (SELECT id, capacity FROM occurrence WHERE id = :o::int FOR UPDATE),
     taken AS (SELECT count(*) AS n FROM appointment WHERE occurrence_id = :o::int)
INSERT INTO appointment (occurrence_id, patient_id, queue_number)
SELECT locked.id, {patient}, taken.n + 1 FROM locked, taken
WHERE taken.n < locked.capacity
ON CONFLICT DO NOTHING;
"""


def plain_database(platform: Platform, occurrences: int) -> str:
    """A scratch database on the platform's server with the plain schema and `occurrences` rows of
    `CAPACITY` places; returns its URL."""
    create_databases(platform.server_url(), [PLAIN_DATABASE])
    url = database_url(platform.server_url(), PLAIN_DATABASE)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS appointment, occurrence")
        connection.execute(PLAIN_SCHEMA)
        connection.execute(
            "INSERT INTO occurrence SELECT n, %s FROM generate_series(1, %s) AS n", (CAPACITY, occurrences)
        )
    return url


def plain_booking(occurrences: int) -> str:
    return "\n".join(
        [rf"\set o random(1, {occurrences})", RANDOM_PATIENT, PLAIN_BOOKING.format(patient=PATIENT).strip(), ""]
    )


def plain_bookings(url: str) -> tuple[int, int]:
    """Rows booked on the plain schema, and the most any occurrence holds."""
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT (SELECT count(*) FROM appointment),"
            " (SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM appointment GROUP BY occurrence_id) AS o)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def booking_run(
    url: str,
    script: Path,
    run_for: tuple[int, int, Path | None],
    bookings: Callable[[], tuple[int, int]],
    *,
    may_miss: bool,
) -> tuple[Run, Check]:
    """pgbench booking places (`run_for`: clients, seconds, log prefix), its throughput counted in
    bookings made, as `bookings` counts them before and after (with the fullest occurrence), not in
    transactions; a transaction that booked nothing is wrong unless it `may_miss`."""
    concurrency, seconds, log_prefix = run_for
    before, _ = bookings()
    run, error = pgbench(url, script, concurrency, seconds, log_prefix)
    after, fullest = bookings()
    booked = after - before
    missed = run.ok - booked
    check = Check(
        run.errors == 0 and fullest <= CAPACITY and (may_miss or missed == 0),
        f"{booked} booked by {run.ok} transactions ({missed} met a number taken meanwhile and booked nothing),"
        f" fullest occurrence {fullest}/{CAPACITY}" + (f"; {error}" if error else ""),
    )
    return Run(booked, run.errors, run.seconds, run.latency), check
