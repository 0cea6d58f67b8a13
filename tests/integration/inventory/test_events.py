"""Inventory's events through NATS: the locations it mirrors from profile events (newest version
wins), bad input sent to the dead letters while the consumer keeps working, and the stock events its
SQL writes published as protobuf."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pulseone.inventory.v1 import events_pb2 as inventory_events
from pulseone.profile.v1 import events_pb2 as profile_events

from scripts.stack import Nats
from services.common import event_catalogue as catalogue
from tests.integration.conftest import InventoryHarness, dead_letters, durable_of, eventually, publish, run_sql
from tests.integration.inventory.conftest import Owner, create_item, dispense, stock_in


def clinic_updated(clinic_id: str, admin_id: str, version: int, zone: str = "Asia/Colombo") -> bytes:
    event = profile_events.ClinicUpdated()
    event.metadata.event_id = str(uuid.uuid4())
    event.metadata.entity_id = clinic_id
    event.metadata.entity_version = version
    event.clinic.id, event.clinic.admin_id, event.clinic.name, event.clinic.time_zone = clinic_id, admin_id, "C", zone
    return event.SerializeToString()


async def location_row(inventory: InventoryHarness, location_id: str) -> list[Any]:
    return await run_sql(
        inventory.database_url,
        "SELECT kind, owner_id::text, time_zone, version FROM locations WHERE id = :id",
        id=location_id,
    )


async def test_a_clinic_event_makes_its_admin_the_owner_and_an_older_one_changes_nothing(
    inventory: InventoryHarness, nats_server: Nats
) -> None:
    clinic_id, admin, successor = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    await publish(nats_server.url, catalogue.CLINIC_UPDATED.subject, clinic_updated(clinic_id, successor, 2))
    await publish(nats_server.url, catalogue.CLINIC_UPDATED.subject, clinic_updated(clinic_id, admin, 1))

    async def mirrored() -> None:
        assert await location_row(inventory, clinic_id) == [("CLINIC", successor, "Asia/Colombo", 2)]

    await eventually(mirrored)
    await asyncio.sleep(0.5)
    await mirrored()


async def test_a_pharmacy_without_a_zone_keeps_its_stock_in_utc(inventory: InventoryHarness, nats_server: Nats) -> None:
    event = profile_events.PharmacyUpdated()
    event.metadata.event_id = str(uuid.uuid4())
    event.metadata.entity_version = 1
    event.pharmacy.id, event.pharmacy.owner_id = str(uuid.uuid4()), str(uuid.uuid4())
    await publish(nats_server.url, catalogue.PHARMACY_UPDATED.subject, event.SerializeToString())

    async def mirrored() -> None:
        found = await location_row(inventory, event.pharmacy.id)
        assert found == [("PHARMACY", event.pharmacy.owner_id, "UTC", 1)]

    await eventually(mirrored)


async def test_an_undecodable_event_goes_to_the_dead_letters_and_the_consumer_keeps_working(
    inventory: InventoryHarness, nats_server: Nats
) -> None:
    subject = catalogue.CLINIC_UPDATED.subject
    await publish(nats_server.url, subject, b"\xff\xfe not a protobuf message")
    await publish(nats_server.url, subject, clinic_updated("not-a-uuid", str(uuid.uuid4()), 1))
    clinic_id, admin = str(uuid.uuid4()), str(uuid.uuid4())
    await publish(nats_server.url, subject, clinic_updated(clinic_id, admin, 1))
    letters = await dead_letters(nats_server.url, durable_of(inventory.replicas[0]), subject, 2)
    assert len(letters) == 2
    assert all("Pulseone-Error" in (m.headers or {}) for m in letters)

    async def mirrored() -> None:
        assert await location_row(inventory, clinic_id) == [("CLINIC", admin, "Asia/Colombo", 1)]

    await eventually(mirrored)


async def test_stock_events_written_by_sql_reach_subscribers_as_protobuf(
    inventory: InventoryHarness, nats_server: Nats, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy, reorder_level=3)
    await stock_in(inventory, pharmacy, item.id, batch="A", quantity=5)
    dispensed = await dispense(inventory, pharmacy, [(item.id, 2)], reference="rx-42")
    client = await nats.connect(nats_server.url)
    try:
        js = client.jetstream()
        found: dict[str, Any] = {}
        for event_type in (catalogue.STOCK_DISPENSED, catalogue.STOCK_LOW):
            subscription = await js.pull_subscribe(
                event_type.subject,
                stream="PULSEONE",
                config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
            )
            for _ in range(40):
                with contextlib.suppress(TimeoutError):
                    for message in await subscription.fetch(100, timeout=0.5):
                        event = event_type.decode(message.data)
                        assert (message.headers or {}).get("Nats-Msg-Id") == event.metadata.event_id
                        found.setdefault(event_type.subject, []).append(event)
                if _ours(found.get(event_type.subject, []), item.id, pharmacy.location_id):
                    break
    finally:
        await client.close()
    [sent] = _ours(found[catalogue.STOCK_DISPENSED.subject], item.id, pharmacy.location_id)
    assert isinstance(sent, inventory_events.StockDispensed)
    assert sent.dispensed == dispensed
    [low] = _ours(found[catalogue.STOCK_LOW.subject], item.id, pharmacy.location_id)
    assert (low.catalog_item.id, low.catalog_item.current_quantity, low.shortage) == (item.id, 3, 0)


def _ours(events: list[Any], item_id: str, location_id: str) -> list[Any]:
    return [
        e
        for e in events
        if (isinstance(e, inventory_events.StockDispensed) and e.dispensed.location_id == location_id)
        or (isinstance(e, inventory_events.StockLow) and e.catalog_item.id == item_id)
    ]
