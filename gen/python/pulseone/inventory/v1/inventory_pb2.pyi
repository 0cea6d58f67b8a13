from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from pulseone.authz.v1 import authz_pb2 as _authz_pb2
from pulseone.inventory.v1 import resources_pb2 as _resources_pb2
from pulseone.validation.v1 import validation_pb2 as _validation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListCatalogItemsRequest(_message.Message):
    __slots__ = ("location_id", "page_size", "page_token")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    page_size: int
    page_token: str
    def __init__(self, location_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCatalogItemsResponse(_message.Message):
    __slots__ = ("catalog_items", "next_page_token")
    CATALOG_ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    catalog_items: _containers.RepeatedCompositeFieldContainer[_resources_pb2.CatalogItem]
    next_page_token: str
    def __init__(self, catalog_items: _Optional[_Iterable[_Union[_resources_pb2.CatalogItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateCatalogItemRequest(_message.Message):
    __slots__ = ("catalog_item",)
    CATALOG_ITEM_FIELD_NUMBER: _ClassVar[int]
    catalog_item: _resources_pb2.CatalogItem
    def __init__(self, catalog_item: _Optional[_Union[_resources_pb2.CatalogItem, _Mapping]] = ...) -> None: ...

class GetCatalogItemRequest(_message.Message):
    __slots__ = ("catalog_item_id",)
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    catalog_item_id: str
    def __init__(self, catalog_item_id: _Optional[str] = ...) -> None: ...

class UpdateCatalogItemRequest(_message.Message):
    __slots__ = ("catalog_item_id", "catalog_item", "update_mask")
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    CATALOG_ITEM_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    catalog_item_id: str
    catalog_item: _resources_pb2.CatalogItem
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, catalog_item_id: _Optional[str] = ..., catalog_item: _Optional[_Union[_resources_pb2.CatalogItem, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class StockInRequest(_message.Message):
    __slots__ = ("catalog_item_id", "batch_number", "expiry_date", "quantity", "cost_price", "reference", "request_id")
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    COST_PRICE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    catalog_item_id: str
    batch_number: str
    expiry_date: str
    quantity: int
    cost_price: str
    reference: str
    request_id: str
    def __init__(self, catalog_item_id: _Optional[str] = ..., batch_number: _Optional[str] = ..., expiry_date: _Optional[str] = ..., quantity: _Optional[int] = ..., cost_price: _Optional[str] = ..., reference: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class StockInResponse(_message.Message):
    __slots__ = ("batch", "transaction")
    BATCH_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    batch: _resources_pb2.Batch
    transaction: _resources_pb2.StockTransaction
    def __init__(self, batch: _Optional[_Union[_resources_pb2.Batch, _Mapping]] = ..., transaction: _Optional[_Union[_resources_pb2.StockTransaction, _Mapping]] = ...) -> None: ...

class StockOutRequest(_message.Message):
    __slots__ = ("catalog_item_id", "quantity", "reason", "batch_id", "reference", "request_id")
    class Reason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        REASON_UNSPECIFIED: _ClassVar[StockOutRequest.Reason]
        ADJUSTMENT: _ClassVar[StockOutRequest.Reason]
        DAMAGED: _ClassVar[StockOutRequest.Reason]
        EXPIRED: _ClassVar[StockOutRequest.Reason]
        RETURN_TO_SUPPLIER: _ClassVar[StockOutRequest.Reason]
    REASON_UNSPECIFIED: StockOutRequest.Reason
    ADJUSTMENT: StockOutRequest.Reason
    DAMAGED: StockOutRequest.Reason
    EXPIRED: StockOutRequest.Reason
    RETURN_TO_SUPPLIER: StockOutRequest.Reason
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    catalog_item_id: str
    quantity: int
    reason: StockOutRequest.Reason
    batch_id: str
    reference: str
    request_id: str
    def __init__(self, catalog_item_id: _Optional[str] = ..., quantity: _Optional[int] = ..., reason: _Optional[_Union[StockOutRequest.Reason, str]] = ..., batch_id: _Optional[str] = ..., reference: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class StockOutResponse(_message.Message):
    __slots__ = ("catalog_item", "transactions")
    CATALOG_ITEM_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    catalog_item: _resources_pb2.CatalogItem
    transactions: _containers.RepeatedCompositeFieldContainer[_resources_pb2.StockTransaction]
    def __init__(self, catalog_item: _Optional[_Union[_resources_pb2.CatalogItem, _Mapping]] = ..., transactions: _Optional[_Iterable[_Union[_resources_pb2.StockTransaction, _Mapping]]] = ...) -> None: ...

class DispenseLine(_message.Message):
    __slots__ = ("catalog_item_id", "quantity")
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    catalog_item_id: str
    quantity: int
    def __init__(self, catalog_item_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class DispenseStockRequest(_message.Message):
    __slots__ = ("location_id", "lines", "reference", "request_id")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    lines: _containers.RepeatedCompositeFieldContainer[DispenseLine]
    reference: str
    request_id: str
    def __init__(self, location_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[DispenseLine, _Mapping]]] = ..., reference: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListBatchesRequest(_message.Message):
    __slots__ = ("location_id", "catalog_item_id", "page_size", "page_token")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    catalog_item_id: str
    page_size: int
    page_token: str
    def __init__(self, location_id: _Optional[str] = ..., catalog_item_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListBatchesResponse(_message.Message):
    __slots__ = ("batches", "next_page_token")
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    batches: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Batch]
    next_page_token: str
    def __init__(self, batches: _Optional[_Iterable[_Union[_resources_pb2.Batch, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListLowStockItemsRequest(_message.Message):
    __slots__ = ("location_id",)
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    def __init__(self, location_id: _Optional[str] = ...) -> None: ...

class ListLowStockItemsResponse(_message.Message):
    __slots__ = ("low_stock_items",)
    LOW_STOCK_ITEMS_FIELD_NUMBER: _ClassVar[int]
    low_stock_items: _containers.RepeatedCompositeFieldContainer[_resources_pb2.LowStockItem]
    def __init__(self, low_stock_items: _Optional[_Iterable[_Union[_resources_pb2.LowStockItem, _Mapping]]] = ...) -> None: ...

class ListExpiringBatchesRequest(_message.Message):
    __slots__ = ("location_id", "days")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    days: int
    def __init__(self, location_id: _Optional[str] = ..., days: _Optional[int] = ...) -> None: ...

class ListExpiringBatchesResponse(_message.Message):
    __slots__ = ("batches",)
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    batches: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Batch]
    def __init__(self, batches: _Optional[_Iterable[_Union[_resources_pb2.Batch, _Mapping]]] = ...) -> None: ...

class ListTransactionsRequest(_message.Message):
    __slots__ = ("location_id", "catalog_item_id", "type", "to", "page_size", "page_token")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    catalog_item_id: str
    type: _resources_pb2.StockTransaction.Type
    to: str
    page_size: int
    page_token: str
    def __init__(self, location_id: _Optional[str] = ..., catalog_item_id: _Optional[str] = ..., type: _Optional[_Union[_resources_pb2.StockTransaction.Type, str]] = ..., to: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., **kwargs) -> None: ...

class ListTransactionsResponse(_message.Message):
    __slots__ = ("transactions", "next_page_token")
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    transactions: _containers.RepeatedCompositeFieldContainer[_resources_pb2.StockTransaction]
    next_page_token: str
    def __init__(self, transactions: _Optional[_Iterable[_Union[_resources_pb2.StockTransaction, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetInventoryReportRequest(_message.Message):
    __slots__ = ("location_id",)
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    def __init__(self, location_id: _Optional[str] = ...) -> None: ...
