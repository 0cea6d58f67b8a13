"""The shape every request has before a servicer sees it: known enum values, bounded text without NUL
characters, bounded lists, representable timestamps (SPEC 1: bad input is INVALID_ARGUMENT, never a 500)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor, descriptor_pb2
from google.protobuf.message import Message
from pulseone.validation.v1 import validation_pb2

from services.common.errors import InvalidArgument, ValidationErrors

DEFAULT_MAX_LENGTH = 256
"""Characters a string field may hold unless it declares `(pulseone.validation.v1.limits).max_length`."""
DEFAULT_MAX_ITEMS = 100
"""Items a repeated or map field may hold unless it declares `max_items`."""

# The range google.protobuf.Timestamp allows: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
TIMESTAMP_SECONDS = (-62_135_596_800, 253_402_300_799)
DURATION_SECONDS = 315_576_000_000
MAX_NANOS = 999_999_999

_STRING = descriptor.FieldDescriptor.TYPE_STRING
_ENUM = descriptor.FieldDescriptor.TYPE_ENUM
_MESSAGE = descriptor.FieldDescriptor.TYPE_MESSAGE


class Undecodable:
    """What a request that is not a valid protobuf message of its type deserializes to."""


UNDECODABLE = Undecodable()


def tolerant(deserialize: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """A request deserializer that turns malformed bytes (truncated, wrong wire types, invalid UTF-8)
    into `Undecodable`, so the call is refused with INVALID_ARGUMENT rather than failing in gRPC."""
    if deserialize is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserialize(data)
        except Exception:  # noqa: BLE001 - any decoding failure is the client's malformed input
            return UNDECODABLE

    return parse


def malformed() -> InvalidArgument:
    return InvalidArgument("the request is not a valid message of this method's type", reason="MALFORMED_REQUEST")


@dataclass(frozen=True)
class _Field:
    """What is checked of one field, resolved once per message type."""

    descriptor: descriptor.FieldDescriptor
    json_name: str
    max_length: int
    max_items: int
    enum_numbers: frozenset[int] | None
    is_map: bool


def declared_limits(options: descriptor_pb2.FieldOptions) -> validation_pb2.Limits:
    """The limits a field declares (zero where it declares none: the defaults apply)."""
    extension: Any = validation_pb2.limits
    if options.HasExtension(extension):
        limits: validation_pb2.Limits = options.Extensions[extension]
        return limits
    return validation_pb2.Limits()


def _limits(field: descriptor.FieldDescriptor) -> validation_pb2.Limits:
    return declared_limits(field.GetOptions())


def _plan(message_type: descriptor.Descriptor) -> dict[int, _Field]:
    plan = {}
    for field in message_type.fields:
        limits = _limits(field)
        is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
        enum_type = field.enum_type if field.type == _ENUM else None
        plan[field.number] = _Field(
            descriptor=field,
            json_name=field.json_name,
            max_length=limits.max_length or DEFAULT_MAX_LENGTH,
            max_items=limits.max_items or DEFAULT_MAX_ITEMS,
            enum_numbers=frozenset(v.number for v in enum_type.values) if enum_type else None,
            is_map=is_map,
        )
    return plan


class RequestChecks:
    """Checks request messages against their descriptors; plans are built once per message type."""

    def __init__(self) -> None:
        self._plans: dict[str, dict[int, _Field]] = {}

    def check(self, request: Message) -> None:
        """Raise INVALID_ARGUMENT naming every field (by JSON path) that breaks the shape."""
        errors = ValidationErrors()
        self._message(request, "", errors)
        errors.raise_if_any()

    def _plan_of(self, message_type: Any) -> dict[int, _Field]:
        plan = self._plans.get(message_type.full_name)
        if plan is None:
            plan = self._plans[message_type.full_name] = _plan(message_type)
        return plan

    def _message(self, message: Message, path: str, errors: ValidationErrors) -> None:
        full_name = message.DESCRIPTOR.full_name
        if full_name == "google.protobuf.Timestamp":
            _timestamp(message, path, errors)
            return
        if full_name == "google.protobuf.Duration":
            _duration(message, path, errors)
            return
        plan = self._plan_of(message.DESCRIPTOR)
        for field_descriptor, value in message.ListFields():
            field = plan[field_descriptor.number]
            name = f"{path}.{field.json_name}" if path else field.json_name
            if field.is_map:
                self._map(field, value, name, errors)
            elif field_descriptor.is_repeated:
                if len(value) > field.max_items:
                    errors.add(name, f"must have at most {field.max_items} items", "TOO_MANY_ITEMS")
                    continue
                for index, item in enumerate(value):
                    self._value(field, field_descriptor, item, f"{name}[{index}]", errors)
            else:
                self._value(field, field_descriptor, value, name, errors)

    def _map(self, field: _Field, value: Mapping[Any, Any], name: str, errors: ValidationErrors) -> None:
        if len(value) > field.max_items:
            errors.add(name, f"must have at most {field.max_items} entries", "TOO_MANY_ITEMS")
            return
        entry: Any = field.descriptor.message_type
        value_field = entry.fields_by_name["value"]
        for key, item in value.items():
            if isinstance(key, str):
                _text(key, field.max_length, f"{name}[key]", errors)
            self._value(field, value_field, item, f"{name}[{str(key)[:40]!r}]", errors)

    def _value(
        self,
        field: _Field,
        field_descriptor: descriptor.FieldDescriptor,
        value: Any,
        name: str,
        errors: ValidationErrors,
    ) -> None:
        if field_descriptor.type == _STRING:
            _text(value, field.max_length, name, errors)
        elif field_descriptor.type == _ENUM:
            numbers = field.enum_numbers
            if numbers is None:  # the enum values of a map
                enum_type: Any = field_descriptor.enum_type
                numbers = frozenset(v.number for v in enum_type.values)
            if value not in numbers:
                errors.add(name, f"{value} is not a known value", "UNKNOWN_ENUM_VALUE")
        elif field_descriptor.type == _MESSAGE:
            self._message(value, name, errors)


def _text(value: str, limit: int, name: str, errors: ValidationErrors) -> None:
    if "\x00" in value:
        errors.add(name, "must not contain NUL characters", "NUL_CHARACTER")
    elif len(value) > limit:
        errors.add(name, f"must be at most {limit} characters", "TOO_LONG")


def _timestamp(message: Any, path: str, errors: ValidationErrors) -> None:
    low, high = TIMESTAMP_SECONDS
    if not low <= message.seconds <= high or not 0 <= message.nanos <= MAX_NANOS:
        errors.add(path, "is not a time between the years 1 and 9999", "OUT_OF_RANGE")


def _duration(message: Any, path: str, errors: ValidationErrors) -> None:
    if abs(message.seconds) > DURATION_SECONDS or abs(message.nanos) > MAX_NANOS:
        errors.add(path, "is not a representable duration", "OUT_OF_RANGE")
