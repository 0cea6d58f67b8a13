"""Catalog items: their checks and the reorder-level rules."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import InvalidArgument
from services.inventory.domain.catalog import UnitType, catalog_changes, falls_low, is_low, new_catalog_item, shortage


def test_a_new_item_is_checked_and_trimmed() -> None:
    item = new_catalog_item(
        location_id=uuid.uuid4(), drug_name=" Amoxicillin ", generic_name="", unit_type="CAPSULE",
        reorder_level=None, selling_price="2.50", active=None,
    )  # fmt: skip
    assert (item.drug_name, item.generic_name, item.unit_type) == ("Amoxicillin", None, UnitType.CAPSULE)
    assert (item.reorder_level, item.selling_price, item.active) == (0, Decimal("2.50"), True)


def test_every_bad_field_of_a_new_item_is_named() -> None:
    with pytest.raises(InvalidArgument) as refused:
        new_catalog_item(
            location_id=uuid.uuid4(), drug_name=" ", generic_name="x" * 201, unit_type="",
            reorder_level=-1, selling_price="1.005", active=True,
        )  # fmt: skip
    assert {v.field for v in refused.value.violations} == {
        "drugName", "genericName", "unitType", "reorderLevel", "sellingPrice",
    }  # fmt: skip


def test_an_update_names_what_it_changes() -> None:
    changes = catalog_changes({"generic_name": "", "reorder_level": 4, "active": False})
    assert changes.changed == {"generic_name", "reorder_level", "active"}
    assert (changes.generic_name, changes.reorder_level, changes.active) == (None, 4, False)
    with pytest.raises(InvalidArgument):
        catalog_changes({"drug_name": ""})


def test_low_is_at_or_below_the_reorder_level_with_the_shortage() -> None:
    assert is_low(5, 5)
    assert not is_low(6, 5)
    assert (shortage(2, 5), shortage(5, 5), shortage(9, 5)) == (3, 0, 0)


@given(st.lists(st.integers(0, 30), min_size=1, max_size=30), st.integers(0, 15))
def test_a_low_stock_event_is_due_once_per_crossing(quantities: list[int], level: int) -> None:
    """Following an item's quantity: the events due are exactly the falls from above to at or below."""
    was_low = True  # a new item holds nothing
    events = 0
    for quantity in quantities:
        events += falls_low(was_low, quantity, level)
        was_low = is_low(quantity, level)
    expected = sum(1 for before, after in zip([0, *quantities], quantities, strict=False) if before > level >= after)
    assert events == expected
