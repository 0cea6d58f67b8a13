"""SPEC's update rule for every PUT: scalars present are set, lists and messages only when masked."""

from __future__ import annotations

from typing import Any

from google.protobuf import field_mask_pb2
from google.protobuf.message import Message

from services.common.errors import ValidationErrors


def _json_name(field: Any) -> str:
    name: str = field.json_name or field.name
    return name


def requested_changes(message: Message, mask: field_mask_pb2.FieldMask, writable: frozenset[str]) -> dict[str, Any]:
    """Field name -> new value for the fields an update asks to change.

    A scalar field changes when it is present in the request or named in `update_mask` (SPEC:
    "scalar fields present in the body are updated"). An `optional` field's presence is known; a
    plain one (no presence on the wire) is present when it holds a value other than its default,
    so `{"drugName": "Claritin"}` renames the item without a mask, and setting one to its default
    (empty, zero) takes the mask. A repeated or message field changes only when named in the mask,
    so `allergies: []` with `updateMask=allergies` clears the list and leaving it out keeps it. Mask
    paths may use JSON or proto names; naming a field that cannot be written is INVALID_ARGUMENT.
    """
    fields = {f.name: f for f in message.DESCRIPTOR.fields}
    by_json = {_json_name(f): f.name for f in fields.values()}
    masked: set[str] = set()
    errors = ValidationErrors()
    for path in mask.paths:
        name = by_json.get(path, path)
        if name not in writable:
            errors.add("updateMask", f"{path!r} is not a field that can be changed")
        masked.add(name)
    errors.raise_if_any()
    changes: dict[str, Any] = {}
    for name in sorted(writable):
        field = fields[name]
        value = getattr(message, name)
        if field.is_repeated or (field.message_type is not None and not field.has_presence):
            if name in masked:
                changes[name] = list(value) if field.is_repeated else value
        elif name in masked or (message.HasField(name) if field.has_presence else value != field.default_value):
            changes[name] = value
    return changes
