"""The ceilings' SQL: the appointments service's own booking statements as pgbench runs them."""

from __future__ import annotations

import re
from datetime import date

import pytest

from scripts.bench_ceilings import booking_transaction, pgbench_statement, plain_booking
from scripts.bench_schedule import Schedule
from services.appointments.store.appointments import BOOK

SCHEDULE = Schedule(
    "8a7f0a53-6a3f-4e4c-9d1e-1f2a3b4c5d6e", "token", tuple(f"00000000-0000-0000-0000-00000000000{n}" for n in range(7)),
    date(2026, 11, 26), 840,
)  # fmt: skip


def test_parameters_become_the_sql_that_gives_their_values() -> None:
    statement = pgbench_statement("SELECT f(p => %(a)s, q => %(b)s)", {"a": ":a::int", "b": "'x'"})
    assert statement == "SELECT f(p => :a::int, q => 'x');"


def test_a_parameter_the_bench_does_not_know_means_the_services_sql_changed() -> None:
    with pytest.raises(SystemExit, match="does not fill: c"):
        pgbench_statement("SELECT %(a)s, %(c)s", {"a": "1"})


def test_the_booking_transaction_is_the_services_two_statements_on_random_dates() -> None:
    script = booking_transaction(SCHEDULE)
    assert "%(" not in script
    assert script.count(";\n") == 2
    assert script.startswith("\\set d random(0, 839)\n\\set s (:d + 3) % 7 + 1\n")  # 2026-11-26 is a Thursday
    booking = script.split(";\n")[1]
    assert booking.startswith(BOOK.split("(", 1)[0])
    assert set(re.findall(r"p_\w+", booking)) == set(re.findall(r"p_\w+", BOOK))
    assert "p_patient_id => lpad(to_hex(:patient::bigint), 32, '0')::uuid" in booking


def test_the_plain_booking_spreads_over_every_occurrence() -> None:
    assert plain_booking(4200).startswith("\\set o random(1, 4200)\n")
