"""The prescriptions service's rules, without a database: validity in the prescription's zone, the
status machine, which catalog item is the prescribed drug, what a dispense leaves, and the
idempotency key every retry of one dispense repeats."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.context import AccountStatus, Principal, Role
from services.common.errors import InvalidArgument, NotYours
from services.prescriptions.domain import dispensing
from services.prescriptions.domain import prescriptions as rules
from services.prescriptions.domain.dispensing import CatalogEntry, DispenseLine, StockTaken
from services.prescriptions.domain.errors import (
    CatalogItemElsewhere,
    DrugMismatch,
    InvalidTransition,
    MoreThanRemains,
    NotAPrescriptionItem,
    PrescriptionExpired,
)
from services.prescriptions.domain.prescriptions import Item, Prescription, Status

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PHARMACY = uuid.uuid4()


def principal(role: Role, user_id: uuid.UUID | None = None) -> Principal:
    return Principal(user_id or uuid.uuid4(), role, AccountStatus.ACTIVE, "jti")


def an_item(drug: str = "Ibuprofen", quantity: int = 10, dispensed: int = 0, generic: str | None = None) -> Item:
    return Item(drug, generic, "400mg", None, "5 days", quantity, None, uuid.uuid4(), dispensed)


def a_prescription(*items: Item, status: Status = Status.ACTIVE, zone: str = "UTC") -> Prescription:
    return Prescription(
        id=uuid.uuid4(),
        doctor_id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        appointment_id=uuid.uuid4(),
        clinic_id=None,
        issued_at=NOW,
        valid_until=date(2026, 4, 9),
        time_zone=zone,
        status=status,
        notes="rest",
        dispense_code="ABCD2345",
        items=items or (an_item(),),
        cancellation_reason="",
        update_time=NOW,
        version=1,
    )


def entry(drug: str, generic: str | None = None, location: uuid.UUID = PHARMACY) -> CatalogEntry:
    return CatalogEntry(uuid.uuid4(), location, drug, generic)


def request(
    prescription: Prescription, *lines: DispenseLine, request_id: uuid.UUID | None = None
) -> dispensing.DispenseRequest:
    return dispensing.DispenseRequest(prescription.id, "ABCD2345", PHARMACY, lines, request_id)


def test_valid_until_defaults_to_thirty_days_and_refuses_the_past_and_beyond_a_year() -> None:
    today = date(2026, 3, 10)
    assert rules.valid_until(None, today) == date(2026, 4, 9)
    assert rules.valid_until(today, today) == today
    for wrong in (today - timedelta(days=1), today + timedelta(days=367)):
        with pytest.raises(InvalidArgument):
            rules.valid_until(wrong, today)


def test_a_prescription_is_valid_through_its_last_day_in_its_own_zone() -> None:
    # 2026-04-09 23:30 in Colombo is 18:00 UTC: still valid there; half an hour later it is not.
    colombo = a_prescription(zone="Asia/Colombo")
    assert not colombo.expired(datetime(2026, 4, 9, 18, 0, tzinfo=UTC))
    assert colombo.expired(datetime(2026, 4, 9, 18, 31, tzinfo=UTC))
    # The same instant is still 2026-04-09 in Los Angeles.
    assert not replace(colombo, time_zone="America/Los_Angeles").expired(datetime(2026, 4, 9, 18, 31, tzinfo=UTC))


@pytest.mark.parametrize("status", [Status.FILLED, Status.CANCELLED])
def test_only_open_prescriptions_move(status: Status) -> None:
    with pytest.raises(InvalidTransition):
        rules.check_fillable(a_prescription(status=status), "FILLED", NOW)
    with pytest.raises(InvalidTransition):
        rules.check_open(a_prescription(status=status), "CANCELLED")


def test_an_expired_prescription_cannot_be_filled() -> None:
    with pytest.raises(PrescriptionExpired):
        rules.check_fillable(a_prescription(), "FILLED", NOW + timedelta(days=31))


def test_the_code_and_notes_are_for_the_patient_and_the_issuing_doctor_only() -> None:
    prescription = a_prescription()
    patient = principal(Role.PATIENT, prescription.patient_id)
    doctor = principal(Role.DOCTOR, prescription.doctor_id)
    for viewer in (patient, doctor):
        assert rules.as_seen_by(viewer, prescription) == prescription
    seen = rules.as_seen_by(principal(Role.PHARMACY), prescription)
    assert (seen.notes, seen.dispense_code) == (None, "")
    with pytest.raises(NotYours):
        rules.check_party(principal(Role.PATIENT), prescription)
    with pytest.raises(NotYours):
        rules.check_its_doctor(patient, prescription)


def test_codes_are_read_as_typed_at_a_counter() -> None:
    prescription = a_prescription()
    assert rules.holds_code(prescription, "abcd-2345")
    assert rules.holds_code(prescription, " ABCD 2345 ")
    assert not rules.holds_code(prescription, "ABCD2346")
    assert all(len(c) == 8 and set(c) <= set(rules.CODE_ALPHABET) for c in (rules.new_code() for _ in range(100)))


@pytest.mark.parametrize(
    ("item", "catalog", "same"),
    [
        (an_item("Ibuprofen"), entry("IBUPROFEN"), True),
        (an_item("Brufen", generic="ibuprofen"), entry("Ibuprofen"), True),
        (an_item("Ibuprofen"), entry("Nurofen", "Ibuprofen "), True),
        (an_item("Brufen", generic="ibuprofen"), entry("Nurofen", "IBUPROFEN"), True),
        (an_item("Ibuprofen"), entry("Paracetamol", "acetaminophen"), False),
        (an_item("Brufen", generic="ibuprofen"), entry("Brufen Plus", "ibuprofen codeine"), False),
    ],
)
def test_the_prescribed_drug_by_drug_or_generic_name(item: Item, catalog: CatalogEntry, same: bool) -> None:
    assert dispensing.is_prescribed_drug(item, catalog) is same


def test_each_line_is_checked_against_the_prescription_and_the_pharmacys_catalog() -> None:
    prescription = a_prescription(an_item("Ibuprofen", 10, dispensed=7))
    [item] = prescription.items
    ibuprofen, paracetamol, elsewhere = (
        entry("Ibuprofen"),
        entry("Paracetamol"),
        entry("Ibuprofen", location=uuid.uuid4()),
    )
    catalog = {e.id: e for e in (ibuprofen, paracetamol, elsewhere)}
    dispensing.check_lines(prescription, request(prescription, DispenseLine(item.id, ibuprofen.id, 3)), catalog)
    cases = [
        (DispenseLine(item.id, ibuprofen.id, 4), MoreThanRemains),
        (DispenseLine(item.id, paracetamol.id, 1), DrugMismatch),
        (DispenseLine(item.id, elsewhere.id, 1), CatalogItemElsewhere),
        (DispenseLine(uuid.uuid4(), ibuprofen.id, 1), NotAPrescriptionItem),
    ]
    for line, refusal in cases:
        with pytest.raises(refusal):
            dispensing.check_lines(prescription, request(prescription, line), catalog)


def test_a_dispense_request_names_each_item_once_with_at_least_one_unit() -> None:
    item_id, catalog_id = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(InvalidArgument) as caught:
        dispensing.dispense_request(
            prescription_id=uuid.uuid4(),
            code="",
            pharmacy_id=PHARMACY,
            lines=[DispenseLine(item_id, catalog_id, 1), DispenseLine(item_id, catalog_id, 0)],
            request_id=None,
        )
    assert {v.field for v in caught.value.violations} == {"code", "lines[1].quantity", "lines[1].itemId"}


@given(
    quantities=st.lists(st.integers(1, 50), min_size=1, max_size=20),
    data=st.data(),
)
def test_a_dispense_adds_its_units_and_fills_only_when_nothing_remains(
    quantities: list[int], data: st.DataObject
) -> None:
    prescription = a_prescription(*(an_item(f"D{n}", q) for n, q in enumerate(quantities)))
    taken = [data.draw(st.integers(0, item.quantity)) for item in prescription.items]
    lines = tuple(DispenseLine(i.id, uuid.uuid4(), t) for i, t in zip(prescription.items, taken, strict=True) if t)
    stock = StockTaken(tuple(() for _ in lines), Decimal(0), Decimal(0))
    done = dispensing.dispensed(request(prescription, *lines), stock, uuid.uuid4(), NOW)
    items = dispensing.after_dispense(prescription, done)
    assert [i.dispensed_quantity for i in items] == taken
    assert (rules.status_after(items) is Status.FILLED) == (taken == quantities)


def test_every_retry_of_one_dispense_hands_inventory_the_same_key_and_another_dispense_another() -> None:
    prescription = a_prescription()
    line = DispenseLine(prescription.items[0].id, uuid.uuid4(), 2)
    asked = request(prescription, line)
    key = dispensing.inventory_key(prescription, asked)
    assert dispensing.inventory_key(prescription, request(prescription, line)) == key
    # Once the first landed, the prescription's version moved on: the same lines are a new dispense.
    assert dispensing.inventory_key(replace(prescription, version=2), asked) != key
    assert dispensing.inventory_key(prescription, request(prescription, replace(line, quantity=3))) != key
    # With a request id, the key is that request's, whatever the version.
    request_id = uuid.uuid4()
    with_id = request(prescription, line, request_id=request_id)
    assert dispensing.inventory_key(replace(prescription, version=5), with_id) == dispensing.inventory_key(
        prescription, with_id
    )
