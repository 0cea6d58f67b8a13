import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CatalogItem(_message.Message):
    __slots__ = ("id", "location_id", "drug_name", "generic_name", "unit_type", "reorder_level", "selling_price", "active", "current_quantity", "create_time", "update_time")
    class UnitType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNIT_TYPE_UNSPECIFIED: _ClassVar[CatalogItem.UnitType]
        TABLET: _ClassVar[CatalogItem.UnitType]
        CAPSULE: _ClassVar[CatalogItem.UnitType]
        BOTTLE: _ClassVar[CatalogItem.UnitType]
        STRIP: _ClassVar[CatalogItem.UnitType]
        VIAL: _ClassVar[CatalogItem.UnitType]
        TUBE: _ClassVar[CatalogItem.UnitType]
        SACHET: _ClassVar[CatalogItem.UnitType]
        UNIT: _ClassVar[CatalogItem.UnitType]
    UNIT_TYPE_UNSPECIFIED: CatalogItem.UnitType
    TABLET: CatalogItem.UnitType
    CAPSULE: CatalogItem.UnitType
    BOTTLE: CatalogItem.UnitType
    STRIP: CatalogItem.UnitType
    VIAL: CatalogItem.UnitType
    TUBE: CatalogItem.UnitType
    SACHET: CatalogItem.UnitType
    UNIT: CatalogItem.UnitType
    ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    DRUG_NAME_FIELD_NUMBER: _ClassVar[int]
    GENERIC_NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_TYPE_FIELD_NUMBER: _ClassVar[int]
    REORDER_LEVEL_FIELD_NUMBER: _ClassVar[int]
    SELLING_PRICE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    location_id: str
    drug_name: str
    generic_name: str
    unit_type: CatalogItem.UnitType
    reorder_level: int
    selling_price: str
    active: bool
    current_quantity: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., location_id: _Optional[str] = ..., drug_name: _Optional[str] = ..., generic_name: _Optional[str] = ..., unit_type: _Optional[_Union[CatalogItem.UnitType, str]] = ..., reorder_level: _Optional[int] = ..., selling_price: _Optional[str] = ..., active: _Optional[bool] = ..., current_quantity: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Batch(_message.Message):
    __slots__ = ("id", "catalog_item_id", "location_id", "batch_number", "expiry_date", "quantity", "cost_price", "received_at", "days_to_expiry", "expired", "drug_name")
    ID_FIELD_NUMBER: _ClassVar[int]
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    COST_PRICE_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    DAYS_TO_EXPIRY_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_FIELD_NUMBER: _ClassVar[int]
    DRUG_NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    catalog_item_id: str
    location_id: str
    batch_number: str
    expiry_date: str
    quantity: int
    cost_price: str
    received_at: _timestamp_pb2.Timestamp
    days_to_expiry: int
    expired: bool
    drug_name: str
    def __init__(self, id: _Optional[str] = ..., catalog_item_id: _Optional[str] = ..., location_id: _Optional[str] = ..., batch_number: _Optional[str] = ..., expiry_date: _Optional[str] = ..., quantity: _Optional[int] = ..., cost_price: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., days_to_expiry: _Optional[int] = ..., expired: _Optional[bool] = ..., drug_name: _Optional[str] = ...) -> None: ...

class StockTransaction(_message.Message):
    __slots__ = ("id", "type", "quantity", "batch_id", "catalog_item_id", "location_id", "reference", "actor_id", "time")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[StockTransaction.Type]
        IN: _ClassVar[StockTransaction.Type]
        OUT: _ClassVar[StockTransaction.Type]
        ADJUSTMENT: _ClassVar[StockTransaction.Type]
        DISPENSE: _ClassVar[StockTransaction.Type]
        RETURN: _ClassVar[StockTransaction.Type]
        EXPIRED: _ClassVar[StockTransaction.Type]
    TYPE_UNSPECIFIED: StockTransaction.Type
    IN: StockTransaction.Type
    OUT: StockTransaction.Type
    ADJUSTMENT: StockTransaction.Type
    DISPENSE: StockTransaction.Type
    RETURN: StockTransaction.Type
    EXPIRED: StockTransaction.Type
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: StockTransaction.Type
    quantity: int
    batch_id: str
    catalog_item_id: str
    location_id: str
    reference: str
    actor_id: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., type: _Optional[_Union[StockTransaction.Type, str]] = ..., quantity: _Optional[int] = ..., batch_id: _Optional[str] = ..., catalog_item_id: _Optional[str] = ..., location_id: _Optional[str] = ..., reference: _Optional[str] = ..., actor_id: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LowStockItem(_message.Message):
    __slots__ = ("catalog_item", "shortage")
    CATALOG_ITEM_FIELD_NUMBER: _ClassVar[int]
    SHORTAGE_FIELD_NUMBER: _ClassVar[int]
    catalog_item: CatalogItem
    shortage: int
    def __init__(self, catalog_item: _Optional[_Union[CatalogItem, _Mapping]] = ..., shortage: _Optional[int] = ...) -> None: ...

class InventoryReport(_message.Message):
    __slots__ = ("location_id", "item_count", "units", "cost_value", "selling_value", "low_stock_count", "expiring_count", "expired_units")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    COST_VALUE_FIELD_NUMBER: _ClassVar[int]
    SELLING_VALUE_FIELD_NUMBER: _ClassVar[int]
    LOW_STOCK_COUNT_FIELD_NUMBER: _ClassVar[int]
    EXPIRING_COUNT_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_UNITS_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    item_count: int
    units: int
    cost_value: str
    selling_value: str
    low_stock_count: int
    expiring_count: int
    expired_units: int
    def __init__(self, location_id: _Optional[str] = ..., item_count: _Optional[int] = ..., units: _Optional[int] = ..., cost_value: _Optional[str] = ..., selling_value: _Optional[str] = ..., low_stock_count: _Optional[int] = ..., expiring_count: _Optional[int] = ..., expired_units: _Optional[int] = ...) -> None: ...

class Dispensed(_message.Message):
    __slots__ = ("location_id", "reference", "lines", "cost_total", "selling_total")
    class BatchUse(_message.Message):
        __slots__ = ("batch_id", "batch_number", "expiry_date", "quantity", "cost_price")
        BATCH_ID_FIELD_NUMBER: _ClassVar[int]
        BATCH_NUMBER_FIELD_NUMBER: _ClassVar[int]
        EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
        QUANTITY_FIELD_NUMBER: _ClassVar[int]
        COST_PRICE_FIELD_NUMBER: _ClassVar[int]
        batch_id: str
        batch_number: str
        expiry_date: str
        quantity: int
        cost_price: str
        def __init__(self, batch_id: _Optional[str] = ..., batch_number: _Optional[str] = ..., expiry_date: _Optional[str] = ..., quantity: _Optional[int] = ..., cost_price: _Optional[str] = ...) -> None: ...
    class Line(_message.Message):
        __slots__ = ("catalog_item_id", "quantity", "batches", "cost_total", "selling_total")
        CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
        QUANTITY_FIELD_NUMBER: _ClassVar[int]
        BATCHES_FIELD_NUMBER: _ClassVar[int]
        COST_TOTAL_FIELD_NUMBER: _ClassVar[int]
        SELLING_TOTAL_FIELD_NUMBER: _ClassVar[int]
        catalog_item_id: str
        quantity: int
        batches: _containers.RepeatedCompositeFieldContainer[Dispensed.BatchUse]
        cost_total: str
        selling_total: str
        def __init__(self, catalog_item_id: _Optional[str] = ..., quantity: _Optional[int] = ..., batches: _Optional[_Iterable[_Union[Dispensed.BatchUse, _Mapping]]] = ..., cost_total: _Optional[str] = ..., selling_total: _Optional[str] = ...) -> None: ...
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    COST_TOTAL_FIELD_NUMBER: _ClassVar[int]
    SELLING_TOTAL_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    reference: str
    lines: _containers.RepeatedCompositeFieldContainer[Dispensed.Line]
    cost_total: str
    selling_total: str
    def __init__(self, location_id: _Optional[str] = ..., reference: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[Dispensed.Line, _Mapping]]] = ..., cost_total: _Optional[str] = ..., selling_total: _Optional[str] = ...) -> None: ...
