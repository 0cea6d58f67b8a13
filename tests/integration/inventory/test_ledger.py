"""The ledger against real PostgreSQL, after any sequence of stock movements (hypothesis): for every
batch the sum of its ledger lines equals its quantity, nothing is ever negative, no line moves zero
units, every first-expiry-first-out pick is the one the pure rule makes, and the database itself
refuses any other way of changing a quantity or the ledger."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.stack import Postgres
from services.common.db import migrate
from services.inventory.app import MIGRATIONS
from services.inventory.domain.expiry import today_in
from services.inventory.domain.fefo import Lot, pick
from services.inventory.store.stock import DISPENSE, REFUSED, STOCK_IN, STOCK_OUT
from tests.conftest import fresh_database

ZONE = "Asia/Kolkata"
START = datetime(2026, 6, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Receive:
    item: int
    batch: int
    expiry_days: int
    quantity: int


@dataclass(frozen=True)
class TakeOut:
    item: int
    quantity: int
    type: str
    expired: bool
    named_batch: int | None


@dataclass(frozen=True)
class Give:
    lines: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Wait:
    days: int


operations = st.lists(
    st.one_of(
        st.builds(Receive, st.integers(0, 1), st.integers(0, 3), st.integers(-1, 6), st.integers(1, 20)),
        st.builds(
            TakeOut,
            st.integers(0, 1),
            st.integers(1, 25),
            st.sampled_from(["ADJUSTMENT", "RETURN"]),
            st.just(False),
            st.none() | st.integers(0, 3),
        ),
        st.builds(TakeOut, st.integers(0, 1), st.integers(1, 10), st.just("EXPIRED"), st.just(True), st.none()),
        st.builds(Give, st.lists(st.tuples(st.integers(0, 1), st.integers(1, 15)), min_size=1, max_size=3).map(tuple)),
        st.builds(Wait, st.integers(1, 2)),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture(scope="module")
def database(postgres: Postgres) -> str:
    url = fresh_database(postgres, "inventory_ledger")
    migrate(url, MIGRATIONS)
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Shop:
    """One location with two items, driven through the stock functions as the service calls them."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.db = connection
        self.owner = uuid.uuid4()
        self.location = uuid.uuid4()
        self.items = [uuid.uuid4(), uuid.uuid4()]
        self.now = START
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO locations (id, kind, owner_id, time_zone, version) VALUES (%s, 'PHARMACY', %s, %s, 1)",
                (self.location, self.owner, ZONE),
            )
            for number, item in enumerate(self.items):
                self.db.execute(
                    "INSERT INTO catalog_items (id, location_id, drug_name, unit_type, reorder_level, selling_price)"
                    " VALUES (%s, %s, %s, 'TABLET', 3, 2.00)",
                    (item, self.location, f"drug {number}"),
                )

    @property
    def today(self) -> Any:
        return today_in(ZONE, self.now)

    def lots(self, item: int) -> list[Lot]:
        rows = self.db.execute(
            "SELECT id, expiry_date, received_at, quantity FROM batches WHERE catalog_item_id = %s",
            (self.items[item],),
        ).fetchall()
        return [Lot(*row) for row in rows]

    def quantities(self) -> dict[uuid.UUID, int]:
        rows = self.db.execute("SELECT id, quantity FROM batches WHERE location_id = %s", (self.location,))
        return dict(rows.fetchall())

    def call(self, statement: str, arguments: tuple[Any, ...]) -> Any:
        """One stock function in its own transaction; a refusal rolls it back and is returned."""
        try:
            with self.db.transaction():
                return self.db.execute(statement, arguments).fetchone()[0]  # type: ignore[index]
        except psycopg.Error as error:
            refused = error
        assert refused.sqlstate == REFUSED, refused  # a stock function's refusal, nothing the database caught
        return refused

    def receive(self, op: Receive) -> Any:
        expiry = self.today + timedelta(days=op.expiry_days)
        arguments = (
            self.items[op.item], self.owner, f"B{op.batch}", expiry, op.quantity, Decimal("1.25"), "", None, self.owner,
            "PHARMACY", "", self.now, "low",
        )  # fmt: skip
        return self.call(STOCK_IN, arguments)

    def take_out(self, op: TakeOut) -> Any:
        named = None
        if op.named_batch is not None:
            numbered = self.db.execute(
                "SELECT id FROM batches WHERE catalog_item_id = %s AND batch_number = %s",
                (self.items[op.item], f"B{op.named_batch}"),
            ).fetchone()
            named = numbered[0] if numbered else uuid.uuid4()
        arguments = (
            self.items[op.item], self.owner, op.quantity, op.type, op.expired, named, "", None, self.owner,
            "PHARMACY", "", self.now, "low",
        )  # fmt: skip
        return self.call(STOCK_OUT, arguments)

    def give(self, op: Give) -> Any:
        arguments = (
            self.location, self.owner, [self.items[i] for i, _ in op.lines], [q for _, q in op.lines], "rx", None,
            self.owner, "PHARMACY", "", self.now, "dispensed", "low",
        )  # fmt: skip
        return self.call(DISPENSE, arguments)


def expected_after_fefo(shop: Shop, before: dict[uuid.UUID, int], takes: list[tuple[int, int, bool]]) -> Any:
    """What the pure rule leaves of each batch after the takes (item, quantity, from expired), or None
    when one of them cannot be made."""
    left = dict(before)
    for item, quantity, expired in takes:
        lots = [Lot(lot.id, lot.expiry_date, lot.received_at, left[lot.id]) for lot in shop.lots(item)]
        chosen = pick(lots, quantity, shop.today, expired=expired)
        if chosen is None:
            return None
        for take in chosen:
            left[take.batch_id] -= take.quantity
    return left


def check_invariants(db: psycopg.Connection[Any], location: uuid.UUID) -> None:
    unbalanced = db.execute(
        "SELECT b.id FROM batches b LEFT JOIN stock_transactions t ON t.batch_id = b.id WHERE b.location_id = %s"
        " GROUP BY b.id HAVING b.quantity <> coalesce(sum(t.quantity), 0) OR b.quantity < 0",
        (location,),
    ).fetchall()
    assert unbalanced == []
    zero = db.execute(
        "SELECT count(*) FROM stock_transactions WHERE location_id = %s AND quantity = 0", (location,)
    ).fetchone()
    assert zero == (0,)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_the_ledger_sums_to_every_batch_after_any_sequence(database: str, steps: list[Any]) -> None:
    with psycopg.connect(database) as db:
        shop = Shop(db)
        for step in steps:
            before = shop.quantities()
            if isinstance(step, Wait):
                shop.now += timedelta(days=step.days)
                continue
            if isinstance(step, Receive):
                result = shop.receive(step)
                if step.expiry_days <= 0:
                    assert isinstance(result, psycopg.Error)
                    assert result.diag.message_primary == "BATCH_EXPIRED"
            elif isinstance(step, TakeOut):
                result = shop.take_out(step)
                if step.named_batch is None:
                    expected = expected_after_fefo(shop, before, [(step.item, step.quantity, step.expired)])
                    assert shop.quantities() == (before if expected is None else expected)
            else:
                result = shop.give(step)
                expected = expected_after_fefo(shop, before, [(item, quantity, False) for item, quantity in step.lines])
                assert shop.quantities() == (before if expected is None else expected)
            if isinstance(result, psycopg.Error):
                assert shop.quantities() == before  # a refusal changes nothing
            check_invariants(db, shop.location)


def test_the_database_refuses_any_other_change_of_a_quantity_or_the_ledger(database: str) -> None:
    with psycopg.connect(database) as db:
        shop = Shop(db)
        received = shop.receive(Receive(0, 0, 10, 5))
        batch_id = uuid.UUID(received["batch"]["id"])
        for statement in (
            "UPDATE batches SET quantity = quantity + 1 WHERE id = %(b)s",
            "INSERT INTO batches (id, catalog_item_id, location_id, batch_number, expiry_date, quantity, cost_price)"
            " SELECT gen_random_uuid(), catalog_item_id, location_id, 'X', expiry_date, 3, 1"
            " FROM batches WHERE id = %(b)s",
            "UPDATE stock_transactions SET quantity = 9 WHERE batch_id = %(b)s",
            "DELETE FROM stock_transactions WHERE batch_id = %(b)s",
            "TRUNCATE stock_transactions CASCADE",
            *(
                "INSERT INTO stock_transactions (id, type, quantity, batch_id, catalog_item_id, location_id)"
                f" SELECT gen_random_uuid(), {line}, id, catalog_item_id, location_id FROM batches WHERE id = %(b)s"
                for line in ("'ADJUSTMENT', -6", "'ADJUSTMENT', 0", "'IN', -1")  # negative, zero, a wrong sign
            ),
        ):
            with pytest.raises(psycopg.Error), db.transaction():
                db.execute(statement, {"b": batch_id})
        assert shop.quantities() == {batch_id: 5}
        check_invariants(db, shop.location)
