"""The catalog through the running service: owners manage their own location's items, nobody else's."""

from __future__ import annotations

import uuid
from datetime import timedelta

import grpc
import pytest
from google.protobuf import field_mask_pb2
from pulseone.auth.v1 import auth_pb2
from pulseone.inventory.v1 import inventory_pb2, inventory_pb2_grpc, resources_pb2
from pulseone.profile.v1 import profile_pb2

from scripts.stack import Nats
from services.common.runtime import ServiceRuntime
from services.inventory.app import build as build_inventory
from services.inventory.settings import InventorySettings
from tests.integration.conftest import (
    PASSWORD,
    AuthHarness,
    InventoryHarness,
    ProfileHarness,
    admin_token,
    bearer,
    eventually,
    forge_token,
    replica_without_profile,
    run_sql,
)
from tests.integration.inventory.conftest import Owner, create_item, seed_location, stock_in
from tests.rpc import failure_of


async def test_an_owner_creates_reads_lists_and_changes_an_item(inventory: InventoryHarness, pharmacy: Owner) -> None:
    created = await create_item(
        inventory, pharmacy, "Amoxicillin", generic_name="amoxicillin", reorder_level=5, selling_price="2.50"
    )
    assert (created.drug_name, created.unit_type, created.reorder_level, created.selling_price) == (
        "Amoxicillin", resources_pb2.CatalogItem.TABLET, 5, "2.50",
    )  # fmt: skip
    assert (created.active, created.current_quantity, created.location_id) == (True, 0, pharmacy.location_id)
    stub = inventory.stub(1)
    found = await stub.GetCatalogItem(
        inventory_pb2.GetCatalogItemRequest(catalog_item_id=created.id), metadata=pharmacy.metadata
    )
    assert found == created
    listed = await stub.ListCatalogItems(
        inventory_pb2.ListCatalogItemsRequest(location_id=pharmacy.location_id), metadata=pharmacy.metadata
    )
    assert [i.id for i in listed.catalog_items] == [created.id]
    changed = await stub.UpdateCatalogItem(
        inventory_pb2.UpdateCatalogItemRequest(
            catalog_item_id=created.id,
            catalog_item=resources_pb2.CatalogItem(reorder_level=8),
            update_mask=field_mask_pb2.FieldMask(paths=["genericName"]),
        ),
        metadata=pharmacy.metadata,
    )
    assert (changed.reorder_level, changed.HasField("generic_name"), changed.selling_price) == (8, False, "2.50")


async def test_current_quantity_counts_unexpired_batches_only(inventory: InventoryHarness, pharmacy: Owner) -> None:
    item = await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, item.id, batch="A", quantity=7, expires_in_days=1)
    await stock_in(inventory, pharmacy, item.id, batch="B", quantity=5, expires_in_days=3)
    request = inventory_pb2.GetCatalogItemRequest(catalog_item_id=item.id)
    assert (await inventory.stub().GetCatalogItem(request, metadata=pharmacy.metadata)).current_quantity == 12
    inventory.clock.advance(timedelta(days=1))
    try:
        assert (await inventory.stub().GetCatalogItem(request, metadata=pharmacy.metadata)).current_quantity == 5
    finally:
        inventory.clock.advance(-timedelta(days=1))


async def test_drug_names_are_unique_per_location_whatever_their_case(
    inventory: InventoryHarness, auth: AuthHarness, pharmacy: Owner
) -> None:
    await create_item(inventory, pharmacy, "Ibuprofen")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await create_item(inventory, pharmacy, "IBUPROFEN")
    failure = failure_of(refused.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.ALREADY_EXISTS, "DRUG_NAME_TAKEN")
    other = await seed_location(inventory, auth)
    assert (await create_item(inventory, other, "ibuprofen")).drug_name == "ibuprofen"


async def test_an_item_needs_a_name_and_a_unit_type(inventory: InventoryHarness, pharmacy: Owner) -> None:
    request = inventory_pb2.CreateCatalogItemRequest(
        catalog_item=resources_pb2.CatalogItem(location_id=pharmacy.location_id, reorder_level=-1)
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await inventory.stub().CreateCatalogItem(request, metadata=pharmacy.metadata)
    failure = failure_of(refused.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "VALIDATION_FAILED")
    assert set(failure.fields) == {"drugName", "unitType", "reorderLevel"}


@pytest.mark.parametrize("existing", [True, False])
async def test_someone_elses_location_is_permission_denied_existing_or_not(
    inventory: InventoryHarness, auth: AuthHarness, pharmacy: Owner, existing: bool
) -> None:
    other = await seed_location(inventory, auth, "CLINIC_ADMIN")
    location_id = other.location_id if existing else str(uuid.uuid4())
    stub = inventory.stub()
    calls = [
        stub.ListCatalogItems(
            inventory_pb2.ListCatalogItemsRequest(location_id=location_id), metadata=pharmacy.metadata
        ),
        stub.CreateCatalogItem(
            inventory_pb2.CreateCatalogItemRequest(
                catalog_item=resources_pb2.CatalogItem(location_id=location_id, drug_name="X", unit_type="TABLET")
            ),
            metadata=pharmacy.metadata,
        ),
        stub.ListBatches(inventory_pb2.ListBatchesRequest(location_id=location_id), metadata=pharmacy.metadata),
        stub.GetInventoryReport(
            inventory_pb2.GetInventoryReportRequest(location_id=location_id), metadata=pharmacy.metadata
        ),
        stub.DispenseStock(
            inventory_pb2.DispenseStockRequest(
                location_id=location_id,
                lines=[inventory_pb2.DispenseLine(catalog_item_id=str(uuid.uuid4()), quantity=1)],
            ),
            metadata=pharmacy.metadata,
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        failure = failure_of(refused.value)
        assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER")


@pytest.mark.parametrize("existing", [True, False])
async def test_someone_elses_item_is_permission_denied_existing_or_not(
    inventory: InventoryHarness, auth: AuthHarness, pharmacy: Owner, existing: bool
) -> None:
    other = await seed_location(inventory, auth)
    item_id = (await create_item(inventory, other)).id if existing else str(uuid.uuid4())
    stub = inventory.stub()
    calls = [
        stub.GetCatalogItem(inventory_pb2.GetCatalogItemRequest(catalog_item_id=item_id), metadata=pharmacy.metadata),
        stub.UpdateCatalogItem(
            inventory_pb2.UpdateCatalogItemRequest(
                catalog_item_id=item_id, catalog_item=resources_pb2.CatalogItem(reorder_level=1)
            ),
            metadata=pharmacy.metadata,
        ),
        stub.StockIn(
            inventory_pb2.StockInRequest(
                catalog_item_id=item_id, batch_number="B", expiry_date="2999-01-01", quantity=1, cost_price="1"
            ),
            metadata=pharmacy.metadata,
        ),
        stub.StockOut(
            inventory_pb2.StockOutRequest(catalog_item_id=item_id, quantity=1, reason="ADJUSTMENT"),
            metadata=pharmacy.metadata,
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        failure = failure_of(refused.value)
        assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER")


async def test_a_system_admin_reads_every_location_and_manages_none(
    inventory: InventoryHarness, auth: AuthHarness, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy)
    admin = forge_token(auth, str(uuid.uuid4()), "SYSTEM_ADMIN")
    listed = await inventory.stub().ListCatalogItems(
        inventory_pb2.ListCatalogItemsRequest(location_id=pharmacy.location_id), metadata=bearer(admin)
    )
    assert [i.id for i in listed.catalog_items] == [item.id]
    for request in (
        inventory.stub().ListCatalogItems(
            inventory_pb2.ListCatalogItemsRequest(location_id=str(uuid.uuid4())), metadata=bearer(admin)
        ),
        inventory.stub().GetCatalogItem(
            inventory_pb2.GetCatalogItemRequest(catalog_item_id=str(uuid.uuid4())), metadata=bearer(admin)
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await request
        assert failure_of(missing.value).code == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await create_item(inventory, Owner("", admin, pharmacy.location_id, pharmacy.zone))
    assert failure_of(refused.value).reason == "ROLE_NOT_ALLOWED"


async def test_a_location_whose_event_lags_is_read_from_the_profile_service(
    inventory: InventoryHarness, auth: AuthHarness, profile: ProfileHarness
) -> None:
    admin = await admin_token(auth)
    registered = await auth.register("PHARMACY")
    user_id = registered.user.id
    await auth.stub.ApproveUser(auth_pb2.ApproveUserRequest(user_id=user_id), metadata=bearer(admin))
    signed_in = await auth.stub.Login(auth_pb2.LoginRequest(email=registered.user.email, password=PASSWORD))
    token = signed_in.access_token

    async def pharmacy_id() -> str:
        found = await profile.stub("PharmacyService").ListPharmacies(
            profile_pb2.ListPharmaciesRequest(page_size=200), metadata=bearer(token)
        )
        mine = [p.id for p in found.pharmacies if p.owner_id == user_id]
        assert mine
        return mine[0]

    location_id = await eventually(pharmacy_id)

    async def mirrored() -> None:
        assert await run_sql(inventory.database_url, "SELECT 1 FROM locations WHERE id = :id", id=location_id)

    await eventually(mirrored)  # the profile event arrived ...
    await run_sql(inventory.database_url, "DELETE FROM locations WHERE id = :id", id=location_id)  # ... or not yet
    request = inventory_pb2.ListCatalogItemsRequest(location_id=location_id)
    listed = await inventory.stub().ListCatalogItems(request, metadata=bearer(token))
    assert list(listed.catalog_items) == []
    rows = await run_sql(
        inventory.database_url, "SELECT owner_id::text, kind, version FROM locations WHERE id = :id", id=location_id
    )
    assert rows == [(user_id, "PHARMACY", 0)]
    await run_sql(inventory.database_url, "DELETE FROM locations WHERE id = :id", id=location_id)
    stranger = forge_token(auth, str(uuid.uuid4()), "PHARMACY")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await inventory.stub().ListCatalogItems(request, metadata=bearer(stranger))
    assert failure_of(refused.value).reason == "NOT_OWNER"


async def test_a_location_unknown_here_while_profile_is_down_is_unavailable_not_refused(
    inventory: InventoryHarness, auth: AuthHarness, nats_server: Nats
) -> None:
    def build(settings: InventorySettings) -> ServiceRuntime:
        return build_inventory(settings, clock=inventory.clock)

    async with replica_without_profile(build, InventorySettings, inventory, nats_server.url, auth) as channel:
        owner = forge_token(auth, str(uuid.uuid4()), "CLINIC_ADMIN")
        with pytest.raises(grpc.aio.AioRpcError) as unavailable:
            await inventory_pb2_grpc.InventoryServiceStub(channel).ListCatalogItems(
                inventory_pb2.ListCatalogItemsRequest(location_id=str(uuid.uuid4())), metadata=bearer(owner)
            )
    failure = failure_of(unavailable.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.UNAVAILABLE, "PROFILE_UNAVAILABLE")
