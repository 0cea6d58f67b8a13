"""First expiry, first out: the rule the stock functions are held to."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.inventory.domain.fefo import Lot, candidates, pick

TODAY = date(2026, 3, 10)
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)


def lot(days: int, quantity: int, received: int = 0) -> Lot:
    return Lot(uuid.uuid4(), TODAY + timedelta(days=days), RECEIVED + timedelta(hours=received), quantity)


lots = st.lists(st.builds(lot, st.integers(-5, 30), st.integers(0, 20), st.integers(0, 5)), max_size=8)


def test_the_soonest_expiry_is_taken_first_and_the_rest_from_the_next() -> None:
    late, soon = lot(20, 10), lot(5, 3)
    assert [(t.batch_id, t.quantity) for t in pick([late, soon], 5, TODAY) or []] == [(soon.id, 3), (late.id, 2)]


def test_a_batch_expiring_today_is_never_taken() -> None:
    today, tomorrow = lot(0, 10), lot(1, 2)
    assert [t.batch_id for t in pick([today, tomorrow], 2, TODAY) or []] == [tomorrow.id]
    assert pick([today, tomorrow], 3, TODAY) is None


def test_equal_expiry_takes_the_first_received() -> None:
    second, first = lot(9, 5, received=2), lot(9, 5, received=1)
    assert [t.batch_id for t in pick([second, first], 6, TODAY) or []] == [first.id, second.id]


def test_writing_off_expired_stock_takes_only_expired_batches() -> None:
    expired, usable = lot(-1, 4), lot(3, 10)
    assert [(t.batch_id, t.quantity) for t in pick([usable, expired], 4, TODAY, expired=True) or []] == [
        (expired.id, 4)
    ]
    assert pick([usable, expired], 5, TODAY, expired=True) is None


@given(lots, st.integers(1, 60))
def test_a_pick_takes_exactly_the_quantity_from_usable_batches_or_nothing(found: list[Lot], quantity: int) -> None:
    takes = pick(found, quantity, TODAY)
    usable = sum(x.quantity for x in found if x.expiry_date > TODAY)
    if usable < quantity:
        assert takes is None
        return
    assert takes is not None
    assert sum(t.quantity for t in takes) == quantity
    by_id = {x.id: x for x in found}
    assert all(0 < t.quantity <= by_id[t.batch_id].quantity and by_id[t.batch_id].expiry_date > TODAY for t in takes)
    # Every batch but the last is emptied, and none expiring before a batch taken from is left holding stock.
    assert all(t.quantity == by_id[t.batch_id].quantity for t in takes[:-1])
    latest = max(by_id[t.batch_id].expiry_date for t in takes)
    taken = {t.batch_id for t in takes}
    assert all(x.id in taken for x in candidates(found, TODAY) if x.expiry_date < latest)
