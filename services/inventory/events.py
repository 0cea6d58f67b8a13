"""Events of the inventory service: what it publishes (the stock functions write STOCK_DISPENSED and
STOCK_LOW to the outbox in SQL, on the subjects named here), and its handlers of profile and auth
events, which keep the mirror of locations (every clinic and pharmacy, with its owner) and of accounts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pulseone.profile.v1 import events_pb2 as profile_events
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import event_catalogue as catalogue
from services.common.consumer import PermanentFailure, Subscription, subscribe
from services.common.projections import account_subscriptions
from services.inventory import messages
from services.inventory.domain.locations import Location
from services.inventory.store import locations as store
from services.inventory.store.stock import Subjects

PUBLISHED = Subjects(dispensed=catalogue.STOCK_DISPENSED.subject, low=catalogue.STOCK_LOW.subject)
"""STOCK_DISPENSED for every dispense; STOCK_LOW once per fall to or below an item's reorder level."""

M = TypeVar("M")


def _location(convert: Callable[[M], Location], message: M) -> Location:
    try:
        return convert(message)
    except ValueError as error:  # ids that are not UUIDs: no retry will fix them
        raise PermanentFailure(f"not a location: {error}") from error


async def on_clinic_updated(session: AsyncSession, event: profile_events.ClinicUpdated) -> None:
    location = _location(messages.clinic_location, event.clinic)
    await store.mirror_location(session, location, event.metadata.entity_version)


async def on_pharmacy_updated(session: AsyncSession, event: profile_events.PharmacyUpdated) -> None:
    location = _location(messages.pharmacy_location, event.pharmacy)
    await store.mirror_location(session, location, event.metadata.entity_version)


def subscriptions() -> list[Subscription]:
    return [
        *account_subscriptions(),
        subscribe(catalogue.CLINIC_UPDATED, on_clinic_updated),
        subscribe(catalogue.PHARMACY_UPDATED, on_pharmacy_updated),
    ]
