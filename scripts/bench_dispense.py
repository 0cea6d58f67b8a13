"""The dispense scenarios of `pulseone bench`: prescriptions dispensed over gRPC by many pharmacies at
once, then by one pharmacy from one hot item, with the invariants checked after each run (stock never
negative, the ledger summing to every batch, every unit recorded once on both sides).

The set-up writes what auth, profile and appointment events would have told the two services (the
accounts, the pharmacies, the completed consultations) straight into their databases, so the run
measures dispensing, not the hours of bookings that would precede it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import psycopg
from pulseone.inventory.v1 import inventory_pb2, inventory_pb2_grpc, resources_pb2
from pulseone.prescriptions.v1 import prescriptions_pb2, prescriptions_pb2_grpc
from pulseone.prescriptions.v1 import resources_pb2 as prescription_resources

from scripts.bench_grpc import Call, grpc_load
from scripts.bench_measure import Check, Load, Run, Say, bearer, token
from scripts.bench_schedule import service_database
from scripts.platform import Platform
from services.auth.crypto import KeyRing

PHARMACIES = 20
UNITS = 2
"""Units per prescription, dispensed at once."""
BATCHES = (("B-SOON", 40), ("B-MID", 200), ("B-LATE", 900))
"""Batch number and days to expiry; each pharmacy receives the stock it needs across all three."""


@dataclass(frozen=True)
class Pharmacy:
    owner_id: str
    location_id: str
    token: str
    catalog_item_id: str = ""


@contextmanager
def _sql(platform: Platform, service: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(service_database(platform, service), autocommit=True) as connection:
        yield connection


def _seed(platform: Platform, ring: KeyRing, consultations: int) -> tuple[str, list[str], list[Pharmacy]]:
    """The doctor, their completed consultations and the pharmacies, as events would leave them."""
    doctor_id = str(uuid.uuid4())
    appointments = [str(uuid.uuid4()) for _ in range(consultations)]
    pharmacies = [
        Pharmacy(owner, str(uuid.uuid4()), token(ring, owner, "PHARMACY"))
        for owner in (str(uuid.uuid4()) for _ in range(PHARMACIES))
    ]
    with _sql(platform, "prescriptions") as db:
        db.execute("INSERT INTO accounts VALUES (%s, 'DOCTOR', 'ACTIVE', 1)", (doctor_id,))
        with db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO accounts VALUES (%s, 'PHARMACY', 'ACTIVE', 1)", [(p.owner_id,) for p in pharmacies]
            )
            cursor.executemany(
                "INSERT INTO appointments VALUES (%s, %s, %s, NULL, 'COMPLETED', 'Asia/Colombo', 1)",
                [(a, doctor_id, str(uuid.uuid4())) for a in appointments],
            )
    with _sql(platform, "inventory") as db, db.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO accounts VALUES (%s, 'PHARMACY', 'ACTIVE', 1)", [(p.owner_id,) for p in pharmacies]
        )
        cursor.executemany(
            "INSERT INTO locations (id, kind, owner_id, name, time_zone, version)"
            " VALUES (%s, 'PHARMACY', %s, 'Bench', 'Asia/Colombo', 1)",
            [(p.location_id, p.owner_id) for p in pharmacies],
        )
    return doctor_id, appointments, pharmacies


async def stock(inventory: Any, pharmacy: Pharmacy, units: int) -> Pharmacy:
    metadata = bearer(pharmacy.token)
    item = resources_pb2.CatalogItem(
        location_id=pharmacy.location_id, drug_name="Paracetamol", unit_type="TABLET", selling_price="0.50"
    )
    created = await inventory.CreateCatalogItem(
        inventory_pb2.CreateCatalogItemRequest(catalog_item=item), metadata=metadata
    )
    today = datetime.now(UTC).date()
    share = units // len(BATCHES) + 1
    for number, days in BATCHES:
        request = inventory_pb2.StockInRequest(
            catalog_item_id=created.id, batch_number=number, expiry_date=(today + timedelta(days=days)).isoformat(),
            quantity=share, cost_price="0.20",
        )  # fmt: skip
        await inventory.StockIn(request, metadata=metadata)
    return Pharmacy(pharmacy.owner_id, pharmacy.location_id, pharmacy.token, created.id)


async def _prescribe(stub: Any, doctor_token: str, appointments: list[str]) -> list[Any]:
    metadata = bearer(doctor_token)
    item = prescription_resources.PrescriptionItem(
        drug_name="Paracetamol", dosage="500mg", duration="3 days", quantity=UNITS
    )
    limit = asyncio.Semaphore(20)

    async def one(appointment_id: str) -> Any:
        async with limit:
            request = prescriptions_pb2.CreatePrescriptionRequest(appointment_id=appointment_id, items=[item])
            return await stub.CreatePrescription(request, metadata=metadata)

    return list(await asyncio.gather(*(one(a) for a in appointments)))


def _dispense(stub: Any, prescription: Any, pharmacy: Pharmacy) -> Callable[[], Awaitable[object]]:
    request = prescriptions_pb2.DispensePrescriptionRequest(
        prescription_id=prescription.id,
        code=prescription.dispense_code,
        pharmacy_id=pharmacy.location_id,
        lines=[
            prescriptions_pb2.DispenseLine(
                item_id=prescription.items[0].id, catalog_item_id=pharmacy.catalog_item_id, quantity=UNITS
            )
        ],
        request_id=str(uuid.uuid4()),
    )
    metadata = bearer(pharmacy.token)
    return lambda: stub.DispensePrescription(request, metadata=metadata)


def _check(platform: Platform, prescriptions: list[Any], succeeded: int) -> Check:
    """Stock never negative, the ledger sums to every batch, and both services recorded every unit once."""
    ids = [p.id for p in prescriptions]
    with _sql(platform, "inventory") as db:
        negative, unbalanced = db.execute(
            "SELECT (SELECT count(*) FROM batches WHERE quantity < 0),"
            " (SELECT count(*) FROM (SELECT b.id FROM batches b LEFT JOIN stock_transactions t ON t.batch_id = b.id"
            "  GROUP BY b.id HAVING b.quantity <> coalesce(sum(t.quantity), 0)) AS off)"
        ).fetchone() or (None, None)
        taken = db.execute(
            "SELECT coalesce(-sum(quantity), 0) FROM stock_transactions"
            " WHERE type = 'DISPENSE' AND reference = ANY(%s)",
            (ids,),
        ).fetchone()
    with _sql(platform, "prescriptions") as db:
        recorded, filled = db.execute(
            "SELECT (SELECT coalesce(sum(dispensed_quantity), 0) FROM prescription_items"
            "  WHERE prescription_id = ANY(%s::uuid[])),"
            " (SELECT count(*) FROM prescriptions WHERE id = ANY(%s::uuid[]) AND status = 'FILLED')",
            (ids, ids),
        ).fetchone() or (None, None)
    units_taken = taken[0] if taken else None
    expected = succeeded * UNITS
    if (negative, unbalanced, units_taken, recorded, filled) != (0, 0, expected, expected, succeeded):
        return Check(
            False,
            f"INVARIANT BROKEN: negative batches {negative}, unbalanced batches {unbalanced}, units taken"
            f" {units_taken} and recorded {recorded} for {expected} expected, FILLED {filled} of {succeeded}",
        )
    return Check(True, f"ledger balanced, no negative stock, {expected} units taken and recorded once")


async def _prepare(
    platform: Platform, ring: KeyRing, doctor_id: str, appointments: list[str], pharmacies: list[Pharmacy], *, say: Say
) -> tuple[list[Pharmacy], list[Any]]:
    """Every pharmacy stocked for its share (the first also for the hot half), every prescription issued."""
    dispenses = len(appointments)
    async with (
        grpc.aio.insecure_channel(_address(platform, "inventory")) as inventory_channel,
        grpc.aio.insecure_channel(_address(platform, "prescriptions")) as channel,
    ):
        inventory = inventory_pb2_grpc.InventoryServiceStub(inventory_channel)  # type: ignore[no-untyped-call]
        stub = prescriptions_pb2_grpc.PrescriptionServiceStub(channel)  # type: ignore[no-untyped-call]
        half = dispenses // 2
        hot_units = (dispenses - half) * UNITS
        spread_units = -(-half // PHARMACIES) * UNITS
        stocked = [await stock(inventory, pharmacies[0], spread_units + hot_units)]
        stocked += [await stock(inventory, p, spread_units) for p in pharmacies[1:]]
        say(f"  {len(stocked)} pharmacies stocked; prescribing {dispenses}")
        return stocked, await _prescribe(stub, token(ring, doctor_id, "DOCTOR"), appointments)


def _address(platform: Platform, service: str) -> str:
    return f"127.0.0.1:{platform.service_ports[service]}"


def dispensing(
    platform: Platform, dispenses: int, *, concurrency: int, seconds: int, warm_up: int, say: Say
) -> list[Load]:
    """Half the prescriptions dispensed spread over the pharmacies, half from one pharmacy's one
    item; everything is stocked and prescribed before either runs."""
    ring = KeyRing(platform.key_ring)
    doctor_id, appointments, pharmacies = _seed(platform, ring, dispenses)
    stocked, issued = asyncio.run(_prepare(platform, ring, doctor_id, appointments, pharmacies, say=say))
    half = dispenses // 2
    loads = []
    for key, title, batch, pick in (
        (
            "dispense_spread",
            f"dispense, {PHARMACIES} pharmacies, gRPC",
            issued[:half],
            lambda n: stocked[n % len(stocked)],
        ),
        ("dispense_hot", "dispense, one hot item, gRPC", issued[half:], lambda n: stocked[0]),
    ):

        def call_of(channel: grpc.aio.Channel, item: tuple[int, Any], pick: Callable[[int], Pharmacy] = pick) -> Call:
            stub = prescriptions_pb2_grpc.PrescriptionServiceStub(channel)  # type: ignore[no-untyped-call]
            return _dispense(stub, item[1], pick(item[0]))

        def check(warm: Run, run: Run, batch: list[Any] = batch) -> Check:
            return _check(platform, batch, warm.ok + run.ok)

        address = _address(platform, "prescriptions")
        supply = list(enumerate(batch))
        load = grpc_load(
            key, title, address, call_of, supply, concurrency=concurrency, seconds=seconds, warm_up=warm_up, check=check
        )
        loads.append(load)
    return loads
