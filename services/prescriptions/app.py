"""Composition root of the prescriptions service: builds everything from settings; nothing happens at import."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import grpc
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc
from pulseone.inventory.v1 import inventory_pb2, inventory_pb2_grpc
from pulseone.prescriptions.v1 import prescriptions_pb2_grpc

from services.common.audit import AuditReader
from services.common.audit_api import SERVICE_NAME as AUDIT_TRAIL
from services.common.audit_api import serve_audit_trail
from services.common.clock import Clock, utc_now
from services.common.peers import Unary, ask_on_behalf, call_on_behalf, peer_channel
from services.common.runtime import Infrastructure, ServiceRuntime, assemble
from services.common.tokens import AuthClient
from services.prescriptions import api, events, messages
from services.prescriptions.domain.appointments import AppointmentFacts
from services.prescriptions.domain.dispensing import CatalogEntry, DispenseLine, StockTaken
from services.prescriptions.domain.errors import AppointmentsUnavailable, InventoryUnavailable
from services.prescriptions.settings import PrescriptionsSettings
from services.prescriptions.use_cases.appointments import Appointments, AppointmentSource
from services.prescriptions.use_cases.dispensing import Dispensing
from services.prescriptions.use_cases.prescriptions import Prescriptions

NAME = "prescriptions"
SERVICE_NAMES = ["pulseone.prescriptions.v1.PrescriptionService", AUDIT_TRAIL]
MIGRATIONS = Path(__file__).parent / "migrations"


def appointment_source(channel: grpc.aio.Channel, timeout: float) -> AppointmentSource:
    """Re-read an appointment from the appointments service on the caller's behalf (their token
    forwarded, so it answers only about the caller's own appointments)."""
    stub = appointments_pb2_grpc.AppointmentServiceStub(channel)  # type: ignore[no-untyped-call]

    async def ask(appointment_id: uuid.UUID) -> AppointmentFacts | None:
        request = appointments_pb2.GetAppointmentRequest(appointment_id=str(appointment_id))
        found = await ask_on_behalf(
            stub.GetAppointment, request, deadline_seconds=timeout, unavailable=AppointmentsUnavailable()
        )
        try:
            return messages.appointment_facts(found) if found is not None else None
        except ValueError:  # ids that are not UUIDs: nothing a prescription could be issued in
            return None

    return ask


class InventoryStock:
    """The pharmacy's stock in the inventory service, asked on the caller's behalf: the inventory
    service itself checks the pharmacy is theirs, and its refusals reach the caller unchanged."""

    def __init__(self, channel: grpc.aio.Channel, timeout: float) -> None:
        self._stub = inventory_pb2_grpc.InventoryServiceStub(channel)  # type: ignore[no-untyped-call]
        self._timeout = timeout

    async def catalog(self, catalog_item_ids: set[uuid.UUID]) -> dict[uuid.UUID, CatalogEntry]:
        async def one(item_id: uuid.UUID) -> CatalogEntry:
            request = inventory_pb2.GetCatalogItemRequest(catalog_item_id=str(item_id))
            return messages.catalog_entry(await self._call(self._stub.GetCatalogItem, request))

        entries = await asyncio.gather(*(one(item_id) for item_id in catalog_item_ids))
        return {entry.id: entry for entry in entries}

    async def take(
        self, pharmacy_id: uuid.UUID, lines: tuple[DispenseLine, ...], *, reference: str, key: uuid.UUID
    ) -> StockTaken:
        request = inventory_pb2.DispenseStockRequest(
            location_id=str(pharmacy_id),
            lines=[
                inventory_pb2.DispenseLine(catalog_item_id=str(line.catalog_item_id), quantity=line.quantity)
                for line in lines
            ],
            reference=reference,
            request_id=str(key),
        )
        return messages.stock_taken(await self._call(self._stub.DispenseStock, request))

    async def _call(self, method: Unary, request: object) -> Any:
        return await call_on_behalf(method, request, deadline_seconds=self._timeout, unavailable=InventoryUnavailable())


def build(settings: PrescriptionsSettings, *, clock: Clock = utc_now) -> ServiceRuntime:
    infra = Infrastructure.create(settings, NAME)
    auth = AuthClient.connect(settings.auth_address, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    appointments_channel = peer_channel(settings.appointments_address)
    inventory_channel = peer_channel(settings.inventory_address)
    appointments = Appointments(infra.sessions, appointment_source(appointments_channel, settings.peer_timeout_seconds))
    prescriptions = Prescriptions(infra.sessions, appointments, pages=infra.pages, clock=clock)
    dispensing = Dispensing(
        infra.sessions, InventoryStock(inventory_channel, settings.peer_timeout_seconds), clock=clock
    )

    def register(server: grpc.aio.Server) -> None:
        servicer = api.PrescriptionsApi(prescriptions, dispensing)
        prescriptions_pb2_grpc.add_PrescriptionServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]
        serve_audit_trail(server, NAME, AuditReader(infra.engine, infra.pages))

    parts = assemble(
        infra,
        name=NAME,
        service_names=SERVICE_NAMES,
        migrations=MIGRATIONS,
        register=register,
        verifier=auth.verifier,
        status_recheck=auth.recheck,
        subscriptions=events.subscriptions(),
        closers=[auth.channel.close, appointments_channel.close, inventory_channel.close],
    )
    return ServiceRuntime(infra, parts)
