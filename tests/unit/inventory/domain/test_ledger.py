"""The ledger's types: stock-out reasons map to types, and signs follow the direction."""

from __future__ import annotations

import pytest

from services.inventory.domain.ledger import StockOutReason, TransactionType, signed, takes_expired_stock, type_for


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (StockOutReason.ADJUSTMENT, TransactionType.ADJUSTMENT),
        (StockOutReason.DAMAGED, TransactionType.ADJUSTMENT),
        (StockOutReason.EXPIRED, TransactionType.EXPIRED),
        (StockOutReason.RETURN_TO_SUPPLIER, TransactionType.RETURN),
    ],
)
def test_stock_out_reasons_are_written_as_their_ledger_type(reason: StockOutReason, expected: TransactionType) -> None:
    assert type_for(reason) is expected


def test_only_writing_off_expired_stock_takes_expired_batches() -> None:
    assert [r for r in StockOutReason if takes_expired_stock(r)] == [StockOutReason.EXPIRED]


def test_stock_in_is_positive_and_every_outflow_negative() -> None:
    assert signed(TransactionType.IN, 3) == 3
    assert {signed(t, 3) for t in TransactionType if t is not TransactionType.IN} == {-3}


def test_a_transaction_moves_at_least_one_unit() -> None:
    with pytest.raises(ValueError, match="at least one unit"):
        signed(TransactionType.DISPENSE, 0)
