"""The checks of stock requests and who reaches a location's stock."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from services.common.context import AccountStatus, Principal, Role
from services.common.errors import InvalidArgument
from services.inventory.domain.batches import stock_in, stock_out
from services.inventory.domain.dispensing import MAX_LINES, DispenseLine, dispense
from services.inventory.domain.ledger import StockOutReason
from services.inventory.domain.locations import Location, LocationKind, owns, reads_every_location
from services.inventory.domain.reports import expiry_window


def violations(error: pytest.ExceptionInfo[InvalidArgument]) -> set[str]:
    return {v.field for v in error.value.violations}


def test_a_stock_in_is_checked_field_by_field() -> None:
    received = stock_in(
        catalog_item_id=uuid.uuid4(), batch_number=" LOT-1 ", expiry_date="2030-01-31", quantity=5,
        cost_price="1.20", reference="INV-1", request_id=None,
    )  # fmt: skip
    assert (received.batch_number, received.expiry_date, received.cost_price) == (
        "LOT-1", date(2030, 1, 31), Decimal("1.20"),
    )  # fmt: skip
    with pytest.raises(InvalidArgument) as refused:
        stock_in(
            catalog_item_id=uuid.uuid4(), batch_number="", expiry_date="31/01/2030", quantity=0, cost_price="",
            reference="", request_id=None,
        )  # fmt: skip
    assert violations(refused) == {"batchNumber", "expiryDate", "quantity", "costPrice"}


def test_a_stock_out_needs_units_and_a_reason() -> None:
    taken = stock_out(
        catalog_item_id=uuid.uuid4(), quantity=2, reason="DAMAGED", batch_id=None, reference="", request_id=None
    )
    assert taken.reason is StockOutReason.DAMAGED
    with pytest.raises(InvalidArgument) as refused:
        stock_out(catalog_item_id=uuid.uuid4(), quantity=-1, reason="", batch_id=None, reference="", request_id=None)
    assert violations(refused) == {"quantity", "reason"}


def test_a_dispense_has_one_to_fifty_lines_of_at_least_one_unit() -> None:
    item = uuid.uuid4()
    assert (
        len(dispense(location_id=uuid.uuid4(), lines=[DispenseLine(item, 1)], reference="", request_id=None).lines) == 1
    )
    for lines, field in (
        ([], "lines"),
        ([DispenseLine(item, 1)] * (MAX_LINES + 1), "lines"),
        ([DispenseLine(item, 1), DispenseLine(item, 0)], "lines[1].quantity"),
    ):
        with pytest.raises(InvalidArgument) as refused:
            dispense(location_id=uuid.uuid4(), lines=lines, reference="", request_id=None)
        assert violations(refused) == {field}


def test_the_expiry_window_defaults_to_thirty_days_and_stays_within_a_year() -> None:
    assert (expiry_window(0), expiry_window(7)) == (30, 7)
    for days in (-1, 366):
        with pytest.raises(InvalidArgument):
            expiry_window(days)


def principal(role: Role, user_id: uuid.UUID | None = None) -> Principal:
    return Principal(user_id or uuid.uuid4(), role, AccountStatus.ACTIVE, "t")


def test_only_the_owner_of_its_kind_reaches_a_location_and_an_admin_reads_every_one() -> None:
    owner = uuid.uuid4()
    clinic = Location(uuid.uuid4(), LocationKind.CLINIC, owner, "C", "UTC", "USD")
    assert owns(principal(Role.CLINIC_ADMIN, owner), clinic)
    assert not owns(principal(Role.CLINIC_ADMIN), clinic)
    assert not owns(principal(Role.PHARMACY, owner), clinic)
    assert not owns(principal(Role.SYSTEM_ADMIN, owner), clinic)
    assert reads_every_location(principal(Role.SYSTEM_ADMIN))
    assert not reads_every_location(principal(Role.PHARMACY))
