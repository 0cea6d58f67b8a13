"""Page sizes and opaque page tokens for keyset pagination (SPEC 1, Lists)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from services.common.errors import InvalidArgument, ValidationErrors

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def page_size(requested: int) -> int:
    """0 means the default; larger than the maximum is clamped; negative is refused."""
    if requested < 0:
        errors = ValidationErrors()
        errors.add("pageSize", "must not be negative")
        errors.raise_if_any()
    if requested == 0:
        return DEFAULT_PAGE_SIZE
    return min(requested, MAX_PAGE_SIZE)


def encode_token(position: dict[str, Any]) -> str:
    """An opaque token for the position after the last item of a page."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The position a token encodes; None for an empty token (the first page)."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError):
        position = None
    if not isinstance(position, dict) or set(position) != set(keys):
        raise InvalidArgument("pageToken is not a token from a previous page", reason="INVALID_PAGE_TOKEN")
    return position
