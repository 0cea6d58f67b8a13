"""Dispensing a prescription through two running replicas of both services: first expiry first, the
prescribed drug only, never more than remains, all lines or none, once per request id, and a
prescription claimed so that concurrent dispenses and cancels wait and then fail cleanly (SPEC 3.4;
issue 9)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import grpc
from pulseone.prescriptions.v1 import prescriptions_pb2

from services.common import event_catalogue as catalogue
from tests.integration.conftest import (
    AppointmentsHarness,
    AuthHarness,
    InventoryHarness,
    PrescriptionsHarness,
    run_sql,
)
from tests.integration.inventory.conftest import create_item, ledger_matches_batches, stock_in
from tests.integration.prescriptions.conftest import (
    Consultation,
    consultation,
    dispense,
    item,
    outbox_events,
    prescribe,
    stocked_pharmacy,
)
from tests.rpc import refusal


async def units(inventory: InventoryHarness, catalog_item_id: str) -> dict[str, int]:
    rows = await run_sql(
        inventory.database_url,
        "SELECT batch_number, quantity FROM batches WHERE catalog_item_id = :id",
        id=catalog_item_id,
    )
    return dict(rows)  # type: ignore[arg-type]


async def dispensed(prescriptions: PrescriptionsHarness, prescription_id: str) -> list[int]:
    rows = await run_sql(
        prescriptions.database_url,
        "SELECT dispensed_quantity FROM prescription_items WHERE prescription_id = :id ORDER BY position",
        id=prescription_id,
    )
    return [row[0] for row in rows]


async def visit_and_prescription(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness, *items: Any
) -> tuple[Consultation, Any]:
    visit = await consultation(appointments, auth)
    return visit, await prescribe(prescriptions, visit, list(items) or [item("Ibuprofen", 10)])


async def test_a_pharmacy_fills_a_prescription_first_expiry_first_in_two_dispenses(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    visit, issued = await visit_and_prescription(prescriptions, appointments, auth)
    pharmacy, stock = await stocked_pharmacy(inventory, auth)
    [line] = issued.items
    first = await dispense(prescriptions, pharmacy, issued, [(line.id, stock, 8)])
    assert (first.prescription.status, first.prescription.items[0].dispensed_quantity) == (2, 8)
    assert (first.prescription.HasField("notes"), first.prescription.dispense_code) == (False, "")
    [taken] = first.dispensation.lines
    assert (taken.item_id, taken.catalog_item_id, taken.quantity) == (line.id, stock, 8)
    assert [(b.batch_number, b.quantity) for b in taken.batches] == [("SOON", 5), ("LATE", 3)]
    assert (first.dispensation.pharmacy_id, first.dispensation.selling_total) == (pharmacy.location_id, "20.00")
    assert await units(inventory, stock) == {"SOON": 0, "LATE": 17}
    second = await dispense(prescriptions, pharmacy, issued, [(line.id, stock, 2)], replica=1)
    assert (second.prescription.status, second.prescription.items[0].dispensed_quantity) == (3, 10)
    assert await units(inventory, stock) == {"SOON": 0, "LATE": 15}
    ledger = await run_sql(
        inventory.database_url,
        "SELECT quantity, reference FROM stock_transactions WHERE catalog_item_id = :id AND type = 'DISPENSE'"
        " ORDER BY seq",
        id=stock,
    )
    assert ledger == [(-5, issued.id), (-3, issued.id), (-2, issued.id)]
    subjects = [subject for subject, _ in await outbox_events(prescriptions, issued.id)]
    assert subjects == [
        catalogue.PRESCRIPTION_ISSUED.subject,
        catalogue.PRESCRIPTION_PARTIALLY_FILLED.subject,
        catalogue.PRESCRIPTION_FILLED.subject,
    ]
    # Filled: nothing more is dispensed, and the patient sees what was.
    failure = await refusal(dispense(prescriptions, pharmacy, issued, [(line.id, stock, 1)]))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_TRANSITION")
    read = await prescriptions.stub().GetPrescription(
        prescriptions_pb2.GetPrescriptionRequest(prescription_id=issued.id), metadata=visit.patient
    )
    assert (read.status, read.items[0].dispensed_quantity) == (3, 10)
    # Every pharmacy access is audited: each dispense recorded before it ran, then its outcome.
    audit = await run_sql(
        prescriptions.database_url,
        "SELECT outcome FROM audit_entries WHERE actor_id = :actor AND action = 'DISPENSE' AND resource_id = :id",
        actor=pharmacy.user_id,
        id=issued.id,
    )
    assert Counter(outcome for (outcome,) in audit) == {"STARTED": 3, "ALLOWED": 2, "REFUSED": 1}


async def test_only_the_prescribed_drug_and_never_more_than_remains(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    _, issued = await visit_and_prescription(
        prescriptions, appointments, auth, item("Brufen", 6, generic_name="Ibuprofen"), item("Amoxicillin", 4)
    )
    pharmacy, ibuprofen = await stocked_pharmacy(inventory, auth, "IBUPROFEN")
    brufen, amoxicillin = issued.items
    failure = await refusal(dispense(prescriptions, pharmacy, issued, [(amoxicillin.id, ibuprofen, 1)]))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "DRUG_MISMATCH")
    failure = await refusal(dispense(prescriptions, pharmacy, issued, [(brufen.id, ibuprofen, 7)]))
    assert (failure.reason, failure.metadata["remaining"]) == ("QUANTITY_EXCEEDS_REMAINING", "6")
    failure = await refusal(dispense(prescriptions, pharmacy, issued, [(str(uuid.uuid4()), ibuprofen, 1)]))
    assert (failure.code, failure.fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"lines[0].itemId": "UNKNOWN_ITEM"})
    assert await units(inventory, ibuprofen) == {"SOON": 5, "LATE": 20}
    # The generic name matches the catalog's drug name, whatever the case.
    done = await dispense(prescriptions, pharmacy, issued, [(brufen.id, ibuprofen, 6)])
    assert [i.dispensed_quantity for i in done.prescription.items] == [6, 0]
    assert done.prescription.status == 2


async def test_all_lines_or_none(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    _, issued = await visit_and_prescription(
        prescriptions, appointments, auth, item("Ibuprofen", 5), item("Amoxicillin", 30)
    )
    pharmacy, ibuprofen = await stocked_pharmacy(inventory, auth)
    amoxicillin_pharmacy_item = await _second_item(inventory, pharmacy, "Amoxicillin", units=10)
    lines = [(issued.items[0].id, ibuprofen, 5), (issued.items[1].id, amoxicillin_pharmacy_item, 30)]
    failure = await refusal(dispense(prescriptions, pharmacy, issued, lines))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_STOCK")
    assert failure.domain == "pulseone.prescriptions"
    assert await units(inventory, ibuprofen) == {"SOON": 5, "LATE": 20}
    assert await dispensed(prescriptions, issued.id) == [0, 0]
    assert [s for s, _ in await outbox_events(prescriptions, issued.id)] == [catalogue.PRESCRIPTION_ISSUED.subject]


async def _second_item(inventory: InventoryHarness, pharmacy: Any, drug: str, units: int) -> str:
    created = await create_item(inventory, pharmacy, drug, selling_price="1.00")
    await stock_in(inventory, pharmacy, created.id, batch="B1", expires_in_days=90, quantity=units)
    return str(created.id)


async def test_the_code_and_the_pharmacys_own_stock_are_required(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    _, issued = await visit_and_prescription(prescriptions, appointments, auth)
    pharmacy, stock = await stocked_pharmacy(inventory, auth)
    other, others_stock = await stocked_pharmacy(inventory, auth)
    line = issued.items[0].id
    for code in ("WRONGCOD", issued.dispense_code[:-1] + ("2" if issued.dispense_code[-1] != "2" else "3")):
        failure = await refusal(dispense(prescriptions, pharmacy, issued, [(line, stock, 1)], code=code))
        assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "INVALID_DISPENSE_CODE")
    unknown = prescriptions_pb2.DispensePrescriptionRequest(
        prescription_id=str(uuid.uuid4()),
        code=issued.dispense_code,
        pharmacy_id=pharmacy.location_id,
        lines=[prescriptions_pb2.DispenseLine(item_id=line, catalog_item_id=stock, quantity=1)],
    )
    failure = await refusal(prescriptions.stub().DispensePrescription(unknown, metadata=pharmacy.metadata))
    assert failure.reason == "INVALID_DISPENSE_CODE"
    # Another pharmacy's catalog item, or its location: the inventory service refuses, nothing moves.
    failure = await refusal(dispense(prescriptions, pharmacy, issued, [(line, others_stock, 1)]))
    assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER")
    request = prescriptions_pb2.DispensePrescriptionRequest(
        prescription_id=issued.id,
        code=issued.dispense_code.lower(),
        pharmacy_id=other.location_id,
        lines=[prescriptions_pb2.DispenseLine(item_id=line, catalog_item_id=others_stock, quantity=1)],
    )
    failure = await refusal(prescriptions.stub().DispensePrescription(request, metadata=pharmacy.metadata))
    assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER")
    assert await units(inventory, others_stock) == {"SOON": 5, "LATE": 20}
    assert await dispensed(prescriptions, issued.id) == [0]
    # The code is read as typed at a counter: lower case works.
    done = await dispense(prescriptions, pharmacy, issued, [(line, stock, 1)], code=issued.dispense_code.lower())
    assert done.prescription.items[0].dispensed_quantity == 1


async def test_an_expired_or_cancelled_prescription_is_not_dispensed(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    visit, issued = await visit_and_prescription(prescriptions, appointments, auth)
    pharmacy, stock = await stocked_pharmacy(inventory, auth)
    line = issued.items[0].id
    prescriptions.clock.advance(timedelta(days=31))
    try:
        failure = await refusal(dispense(prescriptions, pharmacy, issued, [(line, stock, 1)]))
    finally:
        prescriptions.clock.advance(timedelta(days=-31))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PRESCRIPTION_EXPIRED")
    await prescriptions.stub().CancelPrescription(
        prescriptions_pb2.CancelPrescriptionRequest(prescription_id=issued.id, reason="wrong drug"),
        metadata=visit.doctor,
    )
    failure = await refusal(dispense(prescriptions, pharmacy, issued, [(line, stock, 1)]))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_TRANSITION")
    assert await units(inventory, stock) == {"SOON": 5, "LATE": 20}


async def test_one_request_id_dispenses_once_even_when_sent_twice_at_once(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    _, issued = await visit_and_prescription(prescriptions, appointments, auth)
    pharmacy, stock = await stocked_pharmacy(inventory, auth)
    request_id = str(uuid.uuid4())
    lines = [(issued.items[0].id, stock, 3)]
    replies = await asyncio.gather(
        *(dispense(prescriptions, pharmacy, issued, lines, replica=r % 2, request_id=request_id) for r in range(4))
    )
    assert len({r.dispensation.id for r in replies}) == 1
    assert await units(inventory, stock) == {"SOON": 2, "LATE": 20}
    assert await dispensed(prescriptions, issued.id) == [3]
    # Later, the same request id returns the first dispensation with the prescription as it is now.
    await dispense(prescriptions, pharmacy, issued, [(issued.items[0].id, stock, 2)])
    again = await dispense(prescriptions, pharmacy, issued, lines, request_id=request_id)
    assert (again.dispensation.id, again.prescription.items[0].dispensed_quantity) == (replies[0].dispensation.id, 5)
    assert await units(inventory, stock) == {"SOON": 0, "LATE": 20}


async def test_concurrent_pharmacies_never_dispense_more_than_prescribed(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    _, issued = await visit_and_prescription(prescriptions, appointments, auth, item("Ibuprofen", 10))
    pharmacies = [await stocked_pharmacy(inventory, auth) for _ in range(4)]
    line = issued.items[0].id
    outcomes = await asyncio.gather(
        *(dispense(prescriptions, p, issued, [(line, s, 4)], replica=n % 2) for n, (p, s) in enumerate(pharmacies)),
        return_exceptions=True,
    )
    succeeded = [o for o in outcomes if not isinstance(o, BaseException)]
    failed = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert (len(succeeded), len(failed)) == (2, 2)
    assert Counter(o.code() for o in failed) == {grpc.StatusCode.FAILED_PRECONDITION: 2}
    assert await dispensed(prescriptions, issued.id) == [8]
    taken = [20 + 5 - sum((await units(inventory, s)).values()) for _, s in pharmacies]
    assert sorted(taken) == [0, 0, 4, 4]
    assert await ledger_matches_batches(inventory) == []


async def test_a_cancel_racing_a_dispense_waits_for_it_and_the_two_agree(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    visit, issued = await visit_and_prescription(prescriptions, appointments, auth, item("Ibuprofen", 5))
    pharmacy, stock = await stocked_pharmacy(inventory, auth)
    cancel = prescriptions.stub(1).CancelPrescription(
        prescriptions_pb2.CancelPrescriptionRequest(prescription_id=issued.id), metadata=visit.doctor
    )
    outcomes = await asyncio.gather(
        dispense(prescriptions, pharmacy, issued, [(issued.items[0].id, stock, 5)]), cancel, return_exceptions=True
    )
    dispensing: Any = outcomes[0]
    cancelling: Any = outcomes[1]
    taken = 25 - sum((await units(inventory, stock)).values())
    if isinstance(dispensing, grpc.aio.AioRpcError):  # the cancel came first: nothing was taken
        assert not isinstance(cancelling, BaseException)
        assert cancelling.status == 4
        assert dispensing.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert taken == 0
        assert await dispensed(prescriptions, issued.id) == [0]
    else:  # the dispense came first and filled it: the cancel found it FILLED
        assert not isinstance(dispensing, BaseException)
        assert isinstance(cancelling, grpc.aio.AioRpcError)
        assert taken == 5
        assert await dispensed(prescriptions, issued.id) == [5]


async def test_a_crash_between_the_services_is_repaired_by_the_retry_without_taking_twice(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    """The stock was taken, then the prescription's write failed: the retry of the same request
    (with or without a request id) gets the stock the first call took and records it."""
    pharmacy, stock = await stocked_pharmacy(inventory, auth)
    for request_id in (str(uuid.uuid4()), ""):
        _, issued = await visit_and_prescription(prescriptions, appointments, auth, item("Ibuprofen", 4))
        lines = [(issued.items[0].id, stock, 2)]
        before = sum((await units(inventory, stock)).values())
        await _failing_writes(prescriptions, on=True)
        try:
            failure = await refusal(dispense(prescriptions, pharmacy, issued, lines, request_id=request_id))
        finally:
            await _failing_writes(prescriptions, on=False)
        assert failure.code == grpc.StatusCode.INTERNAL
        assert sum((await units(inventory, stock)).values()) == before - 2  # inventory had committed
        assert await dispensed(prescriptions, issued.id) == [0]
        retried = await dispense(prescriptions, pharmacy, issued, lines, request_id=request_id, replica=1)
        assert retried.prescription.items[0].dispensed_quantity == 2
        assert sum((await units(inventory, stock)).values()) == before - 2


async def _failing_writes(prescriptions: PrescriptionsHarness, *, on: bool) -> None:
    """A fault in the prescriptions database: every dispensation write fails while it is on."""
    statement = (
        "CREATE OR REPLACE FUNCTION fail_dispensations() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$;"
        " CREATE TRIGGER fail_dispensations BEFORE INSERT ON dispensations"
        " FOR EACH ROW EXECUTE FUNCTION fail_dispensations()"
        if on
        else "DROP TRIGGER fail_dispensations ON dispensations"
    )
    await run_sql(prescriptions.database_url, statement)
