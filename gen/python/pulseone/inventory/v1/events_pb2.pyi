from pulseone.events.v1 import metadata_pb2 as _metadata_pb2
from pulseone.inventory.v1 import resources_pb2 as _resources_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StockDispensed(_message.Message):
    __slots__ = ("metadata", "dispensed")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DISPENSED_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    dispensed: _resources_pb2.Dispensed
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., dispensed: _Optional[_Union[_resources_pb2.Dispensed, _Mapping]] = ...) -> None: ...

class StockLow(_message.Message):
    __slots__ = ("metadata", "catalog_item", "shortage")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CATALOG_ITEM_FIELD_NUMBER: _ClassVar[int]
    SHORTAGE_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    catalog_item: _resources_pb2.CatalogItem
    shortage: int
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., catalog_item: _Optional[_Union[_resources_pb2.CatalogItem, _Mapping]] = ..., shortage: _Optional[int] = ...) -> None: ...
