"""Proto field names as clients see them: the lowerCamelCase of the proto3 JSON mapping (SPEC 1)."""

from __future__ import annotations


def json_name(field: str) -> str:
    """`follow_up_in_days` → `followUpInDays`; a dotted path is converted segment by segment."""
    return ".".join(_segment(part) for part in field.split("."))


def _segment(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
