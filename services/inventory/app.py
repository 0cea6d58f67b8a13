"""Composition root of the inventory service: builds everything from settings; nothing happens at import."""

from __future__ import annotations

import uuid
from pathlib import Path

import grpc
from pulseone.inventory.v1 import inventory_pb2_grpc
from pulseone.profile.v1 import profile_pb2, profile_pb2_grpc

from services.common.clock import Clock, utc_now
from services.common.peers import ask_on_behalf, peer_channel
from services.common.runtime import Infrastructure, ServiceRuntime, assemble
from services.common.tokens import AuthClient
from services.inventory import api, events, messages
from services.inventory.domain.errors import LocationsUnavailable
from services.inventory.domain.locations import Location, LocationKind
from services.inventory.settings import InventorySettings
from services.inventory.use_cases.catalog import Catalog
from services.inventory.use_cases.locations import Locations, LocationSource
from services.inventory.use_cases.reports import Reports
from services.inventory.use_cases.stock import Stock

NAME = "inventory"
SERVICE_NAMES = ["pulseone.inventory.v1.InventoryService"]
MIGRATIONS = Path(__file__).parent / "migrations"


def location_source(channel: grpc.aio.Channel) -> LocationSource:
    """Re-read a clinic or pharmacy from the profile service, on the caller's behalf (their token
    forwarded). A profile service that cannot answer is UNAVAILABLE, never a refusal: the location
    may well be the caller's."""
    clinics = profile_pb2_grpc.ClinicServiceStub(channel)  # type: ignore[no-untyped-call]
    pharmacies = profile_pb2_grpc.PharmacyServiceStub(channel)  # type: ignore[no-untyped-call]

    async def ask(kind: LocationKind, location_id: uuid.UUID) -> Location | None:
        unavailable = LocationsUnavailable()
        try:
            if kind is LocationKind.CLINIC:
                request = profile_pb2.GetClinicRequest(clinic_id=str(location_id))
                clinic = await ask_on_behalf(clinics.GetClinic, request, deadline_seconds=2.0, unavailable=unavailable)
                return messages.clinic_location(clinic) if clinic is not None else None
            asked = profile_pb2.GetPharmacyRequest(pharmacy_id=str(location_id))
            found = await ask_on_behalf(pharmacies.GetPharmacy, asked, deadline_seconds=2.0, unavailable=unavailable)
            return messages.pharmacy_location(found) if found is not None else None
        except ValueError:  # ids that are not UUIDs: nothing this service could hold
            return None

    return ask


def build(settings: InventorySettings, *, clock: Clock = utc_now) -> ServiceRuntime:
    infra = Infrastructure.create(settings, NAME)
    auth = AuthClient.connect(settings.auth_address, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    profile_channel = peer_channel(settings.profile_address)
    locations = Locations(infra.sessions, location_source(profile_channel))
    catalog = Catalog(infra.sessions, locations, pages=infra.pages, subjects=events.PUBLISHED, clock=clock)
    stock = Stock(infra.engine, locations, subjects=events.PUBLISHED, clock=clock)
    reports = Reports(infra.sessions, locations, pages=infra.pages, clock=clock)

    def register(server: grpc.aio.Server) -> None:
        servicer = api.InventoryApi(catalog, stock, reports)
        inventory_pb2_grpc.add_InventoryServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]

    parts = assemble(
        infra,
        name=NAME,
        service_names=SERVICE_NAMES,
        migrations=MIGRATIONS,
        register=register,
        verifier=auth.verifier,
        status_recheck=auth.recheck,
        subscriptions=events.subscriptions(),
        closers=[auth.channel.close, profile_channel.close],
    )
    return ServiceRuntime(infra, parts)
