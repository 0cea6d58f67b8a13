"""The gRPC servicer of pulseone.inventory.v1: protobuf in, one use-case call, protobuf out."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from pulseone.inventory.v1 import inventory_pb2, inventory_pb2_grpc, resources_pb2

from services.common.context import current_principal
from services.common.fields import optional_uuid, parse_uuid
from services.inventory import messages
from services.inventory.messages import optional_date
from services.inventory.use_cases.catalog import Catalog
from services.inventory.use_cases.reports import Reports
from services.inventory.use_cases.stock import Stock

Context: TypeAlias = grpc.aio.ServicerContext


class InventoryApi(inventory_pb2_grpc.InventoryServiceServicer):
    def __init__(self, catalog: Catalog, stock: Stock, reports: Reports) -> None:
        self._catalog = catalog
        self._stock = stock
        self._reports = reports

    async def ListCatalogItems(
        self, request: inventory_pb2.ListCatalogItemsRequest, context: Context
    ) -> inventory_pb2.ListCatalogItemsResponse:
        page = await self._catalog.list(
            current_principal(),
            parse_uuid(request.location_id, "locationId"),
            size=request.page_size,
            token=request.page_token,
        )
        return inventory_pb2.ListCatalogItemsResponse(
            catalog_items=[messages.catalog_item_message(i) for i in page.items], next_page_token=page.next_page_token
        )

    async def CreateCatalogItem(
        self, request: inventory_pb2.CreateCatalogItemRequest, context: Context
    ) -> resources_pb2.CatalogItem:
        item = await self._catalog.create(current_principal(), messages.new_catalog_item(request))
        return messages.catalog_item_message(item)

    async def GetCatalogItem(
        self, request: inventory_pb2.GetCatalogItemRequest, context: Context
    ) -> resources_pb2.CatalogItem:
        item = await self._catalog.get(current_principal(), parse_uuid(request.catalog_item_id, "catalogItemId"))
        return messages.catalog_item_message(item)

    async def UpdateCatalogItem(
        self, request: inventory_pb2.UpdateCatalogItemRequest, context: Context
    ) -> resources_pb2.CatalogItem:
        item_id = parse_uuid(request.catalog_item_id, "catalogItemId")
        item = await self._catalog.update(current_principal(), item_id, messages.catalog_changes(request))
        return messages.catalog_item_message(item)

    async def StockIn(self, request: inventory_pb2.StockInRequest, context: Context) -> inventory_pb2.StockInResponse:
        batch, transaction = await self._stock.stock_in(current_principal(), messages.stock_in(request))
        return inventory_pb2.StockInResponse(
            batch=messages.batch_message(batch), transaction=messages.transaction_message(transaction)
        )

    async def StockOut(
        self, request: inventory_pb2.StockOutRequest, context: Context
    ) -> inventory_pb2.StockOutResponse:
        item, transactions = await self._stock.stock_out(current_principal(), messages.stock_out(request))
        return inventory_pb2.StockOutResponse(
            catalog_item=messages.catalog_item_message(item),
            transactions=[messages.transaction_message(t) for t in transactions],
        )

    async def DispenseStock(
        self, request: inventory_pb2.DispenseStockRequest, context: Context
    ) -> resources_pb2.Dispensed:
        dispensation = await self._stock.dispense(current_principal(), messages.dispense(request))
        return messages.dispensed_message(dispensation)

    async def ListBatches(
        self, request: inventory_pb2.ListBatchesRequest, context: Context
    ) -> inventory_pb2.ListBatchesResponse:
        page = await self._reports.batches(
            current_principal(),
            parse_uuid(request.location_id, "locationId"),
            optional_uuid(request.catalog_item_id, "catalogItemId"),
            size=request.page_size,
            token=request.page_token,
        )
        return inventory_pb2.ListBatchesResponse(
            batches=[messages.batch_message(b) for b in page.items], next_page_token=page.next_page_token
        )

    async def ListLowStockItems(
        self, request: inventory_pb2.ListLowStockItemsRequest, context: Context
    ) -> inventory_pb2.ListLowStockItemsResponse:
        items = await self._reports.low_stock(current_principal(), parse_uuid(request.location_id, "locationId"))
        return inventory_pb2.ListLowStockItemsResponse(low_stock_items=[messages.low_stock_message(i) for i in items])

    async def ListExpiringBatches(
        self, request: inventory_pb2.ListExpiringBatchesRequest, context: Context
    ) -> inventory_pb2.ListExpiringBatchesResponse:
        found = await self._reports.expiring(
            current_principal(), parse_uuid(request.location_id, "locationId"), request.days
        )
        return inventory_pb2.ListExpiringBatchesResponse(batches=[messages.batch_message(b) for b in found])

    async def ListTransactions(
        self, request: inventory_pb2.ListTransactionsRequest, context: Context
    ) -> inventory_pb2.ListTransactionsResponse:
        page = await self._reports.ledger(
            current_principal(),
            parse_uuid(request.location_id, "locationId"),
            item_id=optional_uuid(request.catalog_item_id, "catalogItemId"),
            transaction_type=messages.transaction_type(request.type),
            first=optional_date(getattr(request, "from"), "from"),
            last=optional_date(request.to, "to"),
            size=request.page_size,
            token=request.page_token,
        )
        return inventory_pb2.ListTransactionsResponse(
            transactions=[messages.transaction_message(t) for t in page.items], next_page_token=page.next_page_token
        )

    async def GetInventoryReport(
        self, request: inventory_pb2.GetInventoryReportRequest, context: Context
    ) -> resources_pb2.InventoryReport:
        report = await self._reports.report(current_principal(), parse_uuid(request.location_id, "locationId"))
        return messages.report_message(report)
