"""Page sizes and signed page tokens for keyset pagination, bound to their list and filters (SPEC 1, Lists)."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from services.common.errors import FieldViolation, InvalidArgument, ValidationErrors
from services.common.secret_files import write_private

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
KEY_BYTES = 32
# The longest we make (two names of 100 four-byte characters and an id) is about 1,200 characters;
# a token far longer is not ours and is refused unread.
MAX_TOKEN_LENGTH = 4096
MAX_TEXT_LENGTH = 1000
INT_RANGE = range(-(2**31), 2**31)  # PostgreSQL integer: what a keyset number column holds
BIGINT_RANGE = range(-(2**63), 2**63)

T = TypeVar("T")
Position = tuple[Any, ...]
"""The typed values of the last row of a page, in the order of the list's ORDER BY."""


def page_size(requested: int) -> int:
    """0 means the default; larger than the maximum is clamped; negative is refused."""
    if requested < 0:
        errors = ValidationErrors()
        errors.add("pageSize", "must not be negative")
        errors.raise_if_any()
    if requested == 0:
        return DEFAULT_PAGE_SIZE
    return min(requested, MAX_PAGE_SIZE)


def invalid_page_token() -> InvalidArgument:
    description = "is not a token from a previous page of this list with these filters"
    return InvalidArgument(
        f"pageToken {description}",
        reason="INVALID_PAGE_TOKEN",
        violations=[FieldViolation("pageToken", description, "INVALID_PAGE_TOKEN")],
    )


def _text(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH:
        raise ValueError("not a bounded string")
    return value


def _instant(value: object) -> datetime:
    instant = datetime.fromisoformat(_text(value))
    if instant.tzinfo is None:
        raise ValueError("not an instant")
    return instant


def _day(value: object) -> date:
    return date.fromisoformat(_text(value))


def _uuid(value: object) -> uuid.UUID:
    return uuid.UUID(_text(value))


def _number(value: object) -> int:
    if type(value) is not int or value not in INT_RANGE:
        raise ValueError("not an integer column value")
    return value


class BigInt(int):
    """A keyset column of PostgreSQL's bigint (an identity that may outgrow integer)."""


def _big_number(value: object) -> BigInt:
    if type(value) is not int or value not in BIGINT_RANGE:
        raise ValueError("not a bigint column value")
    return BigInt(value)


DECODERS: dict[type, Callable[[object], Any]] = {
    datetime: _instant,
    date: _day,
    uuid.UUID: _uuid,
    int: _number,
    BigInt: _big_number,
    str: _text,
}


def _plain(value: object) -> object:
    """A position or filter value as JSON: ids as strings, instants and days in ISO 8601."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


@dataclass(frozen=True)
class Keyset:
    """A list that pages by keyset: its name (a token never crosses lists) and the types of the
    values its ORDER BY is made of (a token's position is decoded to exactly these)."""

    name: str
    types: tuple[type, ...]

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in DECODERS]
        if unknown:
            raise TypeError(f"{self.name}: no page-token decoder for {unknown}")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items and the token of the next page (empty on the last)."""

    items: list[T]
    next_page_token: str


@dataclass(frozen=True)
class PageRequest:
    """What a list request asks for: at most `limit` rows after the position `after` (None: the first page)."""

    limit: int
    after: Position | None
    _seal: Callable[[Position], str]

    @property
    def fetch(self) -> int:
        """Rows to ask the store for: one more than fits tells whether another page follows."""
        return self.limit + 1

    def token_for(self, position: Position) -> str:
        """The token of the page after `position`, for a list that pages by more than its rows (a merge)."""
        return self._seal(position)

    def split(self, rows: list[T], position: Callable[[T], Position]) -> Page[T]:
        """This page out of `fetch` rows, with the token of the next page when there is one."""
        items = rows[: self.limit]
        return Page(items, self._seal(position(items[-1])) if len(rows) > self.limit else "")


class PageTokens:
    """Page tokens signed with HMAC-SHA256 under a key every replica of a service shares.

    The signature covers the position and what the token is bound to: the list's name and the
    request's filters, so a token is good only for the next page of the same query and any other
    token (forged, truncated, from another list or other filters) is INVALID_PAGE_TOKEN. The
    position's values are also checked against the list's types when a token is opened, so even a
    token signed by mistake cannot reach the database as anything but the expected values.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError(f"a page-token key has at least {KEY_BYTES} bytes")
        self._key = key

    @classmethod
    def from_file(cls, path: Path) -> PageTokens:
        """The key in `path` (base64, as `create_page_token_key` writes it); exits when there is none."""
        try:
            return cls(base64.b64decode(path.read_text().strip(), validate=True))
        except (OSError, ValueError) as error:
            raise SystemExit(f"no usable page-token key in {path} (PULSEONE_PAGE_TOKEN_KEY_FILE): {error}") from None

    def page(self, keyset: Keyset, *, size: int, token: str, filters: Mapping[str, object]) -> PageRequest:
        """The page a list request asks for; `filters` are every request value that shapes the list."""
        limit = page_size(size)
        binding = json.dumps(
            [keyset.name, {name: _plain(value) for name, value in filters.items()}],
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        after = self._open(keyset, binding, token) if token else None
        return PageRequest(limit=limit, after=after, _seal=lambda position: self._seal(binding, position))

    def _signature(self, binding: bytes, payload: str) -> str:
        return _b64(hmac.new(self._key, binding + b"\0" + payload.encode(), hashlib.sha256).digest())

    def _seal(self, binding: bytes, position: Position) -> str:
        plain = [_plain(value) for value in position]
        payload = _b64(json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode())
        return f"{payload}.{self._signature(binding, payload)}"

    def _open(self, keyset: Keyset, binding: bytes, token: str) -> Position:
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise invalid_page_token()
        payload, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._signature(binding, payload).encode()):
            raise invalid_page_token()
        try:
            values = json.loads(_unb64(payload))
            if not isinstance(values, list) or len(values) != len(keyset.types):
                raise ValueError("not a position of this list")
            return tuple(DECODERS[kind](value) for kind, value in zip(keyset.types, values, strict=True))
        except (ValueError, TypeError):  # binascii and JSON errors are ValueErrors
            raise invalid_page_token() from None


def create_page_token_key(path: Path) -> None:
    """A new random key, readable by its owner only (development; production mounts a secret)."""
    write_private(path, base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode() + "\n")
