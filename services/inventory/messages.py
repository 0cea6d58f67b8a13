"""Protobuf ⇄ domain values of pulseone.inventory.v1."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pulseone.inventory.v1 import inventory_pb2, resources_pb2
from pulseone.profile.v1 import resources_pb2 as profile_resources

from services.common.fields import optional_uuid, parse_uuid, require_date
from services.common.timestamps import set_time
from services.common.updates import requested_changes
from services.inventory.domain import batches, catalog, dispensing
from services.inventory.domain.batches import Batch, StockIn, StockOut
from services.inventory.domain.catalog import CatalogChanges, CatalogItem, NewCatalogItem
from services.inventory.domain.dispensing import Dispensation, Dispense, DispenseLine
from services.inventory.domain.expiry import zone_of
from services.inventory.domain.ledger import StockTransaction, TransactionType
from services.inventory.domain.locations import Location, LocationKind
from services.inventory.domain.reports import InventoryReport

CENTS = Decimal("0.01")
Proto = resources_pb2.CatalogItem


def money(value: Decimal) -> str:
    return str(value.quantize(CENTS))


def _unit_type(value: int) -> str:
    return str(Proto.UnitType.Name(value)) if value else ""


# Requests


def new_catalog_item(request: inventory_pb2.CreateCatalogItemRequest) -> NewCatalogItem:
    item = request.catalog_item
    return catalog.new_catalog_item(
        location_id=parse_uuid(item.location_id, "locationId"),
        drug_name=item.drug_name,
        generic_name=item.generic_name if item.HasField("generic_name") else None,
        unit_type=_unit_type(item.unit_type),
        reorder_level=item.reorder_level if item.HasField("reorder_level") else None,
        selling_price=item.selling_price if item.HasField("selling_price") else None,
        active=item.active if item.HasField("active") else None,
    )


def catalog_changes(request: inventory_pb2.UpdateCatalogItemRequest) -> CatalogChanges:
    found = requested_changes(request.catalog_item, request.update_mask, catalog.WRITABLE)
    if "unit_type" in found:
        found["unit_type"] = _unit_type(found["unit_type"])
    return catalog.catalog_changes(found)


def stock_in(request: inventory_pb2.StockInRequest) -> StockIn:
    return batches.stock_in(
        catalog_item_id=parse_uuid(request.catalog_item_id, "catalogItemId"),
        batch_number=request.batch_number,
        expiry_date=request.expiry_date,
        quantity=request.quantity,
        cost_price=request.cost_price,
        reference=request.reference,
        request_id=optional_uuid(request.request_id, "requestId"),
    )


def stock_out(request: inventory_pb2.StockOutRequest) -> StockOut:
    reason = inventory_pb2.StockOutRequest.Reason.Name(request.reason) if request.reason else ""
    return batches.stock_out(
        catalog_item_id=parse_uuid(request.catalog_item_id, "catalogItemId"),
        quantity=request.quantity,
        reason=reason,
        batch_id=optional_uuid(request.batch_id, "batchId"),
        reference=request.reference,
        request_id=optional_uuid(request.request_id, "requestId"),
    )


def dispense(request: inventory_pb2.DispenseStockRequest) -> Dispense:
    lines = [
        DispenseLine(parse_uuid(line.catalog_item_id, f"lines[{index}].catalogItemId"), line.quantity)
        for index, line in enumerate(request.lines)
    ]
    return dispensing.dispense(
        location_id=parse_uuid(request.location_id, "locationId"),
        lines=lines,
        reference=request.reference,
        request_id=optional_uuid(request.request_id, "requestId"),
    )


def transaction_type(value: int) -> TransactionType | None:
    return TransactionType(resources_pb2.StockTransaction.Type.Name(value)) if value else None


def optional_date(value: str, field: str) -> date | None:
    return require_date(value, field) if value else None


# Resources


def catalog_item_message(item: CatalogItem) -> resources_pb2.CatalogItem:
    message = resources_pb2.CatalogItem(
        id=str(item.id),
        location_id=str(item.location_id),
        drug_name=item.drug_name,
        unit_type=item.unit_type.value,
        reorder_level=item.reorder_level,
        active=item.active,
        current_quantity=item.current_quantity,
    )
    if item.generic_name is not None:
        message.generic_name = item.generic_name
    if item.selling_price is not None:
        message.selling_price = money(item.selling_price)
    set_time(message.create_time, item.create_time)
    set_time(message.update_time, item.update_time)
    return message


def batch_message(batch: Batch) -> resources_pb2.Batch:
    message = resources_pb2.Batch(
        id=str(batch.id),
        catalog_item_id=str(batch.catalog_item_id),
        location_id=str(batch.location_id),
        batch_number=batch.batch_number,
        expiry_date=batch.expiry_date.isoformat(),
        quantity=batch.quantity,
        cost_price=money(batch.cost_price),
        days_to_expiry=batch.days_to_expiry,
        expired=batch.expired,
        drug_name=batch.drug_name,
    )
    set_time(message.received_at, batch.received_at)
    return message


def transaction_message(transaction: StockTransaction) -> resources_pb2.StockTransaction:
    message = resources_pb2.StockTransaction(
        id=str(transaction.id),
        type=transaction.type.value,
        quantity=transaction.quantity,
        batch_id=str(transaction.batch_id),
        catalog_item_id=str(transaction.catalog_item_id),
        location_id=str(transaction.location_id),
        reference=transaction.reference,
        actor_id=str(transaction.actor_id) if transaction.actor_id else "",
    )
    set_time(message.time, transaction.time)
    return message


def low_stock_message(item: CatalogItem) -> resources_pb2.LowStockItem:
    return resources_pb2.LowStockItem(catalog_item=catalog_item_message(item), shortage=item.shortage)


def dispensed_message(dispensation: Dispensation) -> resources_pb2.Dispensed:
    return resources_pb2.Dispensed(
        location_id=str(dispensation.location_id),
        reference=dispensation.reference,
        lines=[
            resources_pb2.Dispensed.Line(
                catalog_item_id=str(line.catalog_item_id),
                quantity=line.quantity,
                batches=[
                    resources_pb2.Dispensed.BatchUse(
                        batch_id=str(use.batch_id),
                        batch_number=use.batch_number,
                        expiry_date=use.expiry_date.isoformat(),
                        quantity=use.quantity,
                        cost_price=money(use.cost_price),
                    )
                    for use in line.batches
                ],
                cost_total=money(line.cost_total),
                selling_total=money(line.selling_total),
            )
            for line in dispensation.lines
        ],
        cost_total=money(dispensation.cost_total),
        selling_total=money(dispensation.selling_total),
    )


def report_message(report: InventoryReport) -> resources_pb2.InventoryReport:
    return resources_pb2.InventoryReport(
        location_id=str(report.location_id),
        item_count=report.item_count,
        units=report.units,
        cost_value=money(report.cost_value),
        selling_value=money(report.selling_value),
        low_stock_count=report.low_stock_count,
        expiring_count=report.expiring_count,
        expired_units=report.expired_units,
    )


# Locations, from the profile service's clinics and pharmacies (events and re-reads alike)


def clinic_location(clinic: profile_resources.Clinic) -> Location:
    """A clinic as a location: its CLINIC_ADMIN owns its stock."""
    return _location(LocationKind.CLINIC, clinic.id, clinic.admin_id, clinic)


def pharmacy_location(pharmacy: profile_resources.Pharmacy) -> Location:
    """A pharmacy as a location: its PHARMACY user owns its stock."""
    return _location(LocationKind.PHARMACY, pharmacy.id, pharmacy.owner_id, pharmacy)


def _location(
    kind: LocationKind, location_id: str, owner_id: str, place: profile_resources.Clinic | profile_resources.Pharmacy
) -> Location:
    return Location(
        id=uuid.UUID(location_id),
        kind=kind,
        owner_id=uuid.UUID(owner_id),
        name=place.name,
        time_zone=zone_of(place.time_zone),
        currency=place.currency,
    )
