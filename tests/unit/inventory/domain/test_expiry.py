"""Expiry in the location's zone: usable while the expiry date is after today there."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.inventory.domain.batches import Batch
from services.inventory.domain.expiry import days_to_expiry, end_of, is_usable, start_of, today_in, zone_of


def test_a_batch_expiring_today_is_expired_and_tomorrow_is_usable() -> None:
    today = date(2026, 5, 1)
    assert not is_usable(today, today)
    assert is_usable(today + timedelta(days=1), today)
    assert days_to_expiry(today, today) == 0


def test_today_is_the_locations_date_not_utcs() -> None:
    now = datetime(2026, 5, 1, 10, 30, tzinfo=UTC)
    assert today_in("Pacific/Kiritimati", now) == date(2026, 5, 2)
    assert today_in("Pacific/Pago_Pago", now) == date(2026, 4, 30)
    assert today_in("UTC", now) == date(2026, 5, 1)


def test_an_unknown_zone_is_utc() -> None:
    assert zone_of("") == "UTC"
    assert zone_of("Mars/Olympus") == "UTC"
    assert zone_of("Asia/Colombo") == "Asia/Colombo"


def test_a_local_date_spans_its_zones_day() -> None:
    day = date(2026, 5, 1)
    assert start_of(day, "Asia/Colombo") == datetime(2026, 4, 30, 18, 30, tzinfo=UTC)
    assert end_of(day, "Asia/Colombo") == datetime(2026, 5, 1, 18, 30, tzinfo=UTC)


@given(st.dates(), st.integers(-400, 400))
def test_a_batch_is_expired_exactly_when_it_has_no_days_left(today: date, days: int) -> None:
    expiry = today + timedelta(days=days) if date.min + timedelta(400) < today < date.max - timedelta(400) else today
    batch = Batch(
        id=uuid.uuid4(), catalog_item_id=uuid.uuid4(), location_id=uuid.uuid4(), batch_number="B",
        expiry_date=expiry, quantity=1, cost_price=Decimal(1), received_at=datetime.now(UTC), drug_name="X",
        today=today,
    )  # fmt: skip
    assert batch.expired == (batch.days_to_expiry <= 0)
