"""Field checks and parsers of request values shared by every service: UUIDs, dates, times of day,
instants, time zones, money, phone numbers, emails. Pure: values in, values or field violations out."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from services.common.errors import ValidationErrors, invalid_field

PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
HH_MM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
# ISO 4217 active currency codes.
CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XCG",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
    ]
)


def parse_uuid(value: str, field: str) -> uuid.UUID:
    """A UUID from a request, or INVALID_ARGUMENT naming the field (never a 500)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise invalid_field(field, "is required" if not value else f"{value!r} is not a UUID", "INVALID_ID") from None


def optional_uuid(value: str, field: str) -> uuid.UUID | None:
    """An optional id: empty is None, anything else must be a UUID."""
    return parse_uuid(value, field) if value else None


def is_time_zone(name: str) -> bool:
    """An IANA zone name this machine knows. Any name a client sends is safe to ask about: names that
    are not zone files, escape the zone directory or are too long for the file system are simply not zones."""
    if not name or len(name) > 64:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# The dates the platform reasons about. Beyond them date arithmetic (a range, a day after, a zone
# offset) would overflow Python's calendar, and no appointment, birth or expiry lies there.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def parse_date(value: str) -> date | None:
    """A calendar date "YYYY-MM-DD" between 1900 and 2999, or None."""
    try:
        parsed = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None
    return parsed if parsed is not None and EARLIEST_DATE <= parsed <= LATEST_DATE else None


def parse_hh_mm(value: str) -> time | None:
    """A wall-clock time "HH:MM" (24 h), or None."""
    return time.fromisoformat(value) if HH_MM.match(value) else None


def parse_money(value: str) -> Decimal | None:
    """A non-negative decimal string with at most two decimals, or None."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e10"):  # type: ignore[operator]
        return None
    return amount


def require_date(value: str, field: str) -> date:
    """A calendar date "YYYY-MM-DD", or INVALID_ARGUMENT naming the field."""
    parsed = parse_date(value)
    if parsed is None:
        raise invalid_field(field, "must be a date, YYYY-MM-DD, between 1900 and 2999")
    return parsed


def require_time(value: str, field: str) -> time:
    """A wall-clock time "HH:MM", or INVALID_ARGUMENT naming the field."""
    parsed = parse_hh_mm(value)
    if parsed is None:
        raise invalid_field(field, "must be a time, HH:MM")
    return parsed


def require_instant(value: str, field: str) -> datetime:
    """An RFC 3339 time with an offset, as UTC, or INVALID_ARGUMENT naming the field."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_field(field, "must be an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise invalid_field(field, "must have a time zone offset")
    if not EARLIEST_DATE <= parsed.date() <= LATEST_DATE:
        raise invalid_field(field, "must be a time between the years 1900 and 2999")
    return parsed.astimezone(UTC)


class Checks:
    """Field checks that collect every violation, named by JSON path."""

    def __init__(self) -> None:
        self.errors = ValidationErrors()

    def required_text(self, field: str, value: Any, limit: int = 200) -> None:
        if not isinstance(value, str) or not value.strip():
            self.errors.add(field, "is required")
        elif len(value) > limit:
            self.errors.add(field, f"must be at most {limit} characters")

    def text(self, field: str, value: Any, limit: int = 2000) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.errors.add(field, f"must be at most {limit} characters")

    def phone(self, field: str, value: Any) -> None:
        if value and not PHONE.match(str(value).strip()):
            self.errors.add(field, "is not a phone number")

    def email(self, field: str, value: Any) -> None:
        if value and not EMAIL.match(str(value).strip()):
            self.errors.add(field, "is not an email address")

    def time_zone(self, field: str, value: Any, *, required: bool = False) -> None:
        if not value:
            if required:
                self.errors.add(field, "is required")
        elif not is_time_zone(str(value)):
            self.errors.add(field, f"{value!r} is not an IANA time zone", "INVALID_TIME_ZONE")

    def currency(self, field: str, value: Any) -> None:
        if value and value not in CURRENCIES:
            self.errors.add(field, f"{value!r} is not an ISO 4217 currency code", "INVALID_CURRENCY")

    def money(self, field: str, value: Any) -> None:
        if value and parse_money(str(value)) is None:
            self.errors.add(field, 'must be a non-negative amount with at most two decimals, like "75.50"')

    def past_date(self, field: str, value: Any, today: date) -> None:
        if not value:
            return
        parsed = parse_date(str(value))
        if parsed is None:
            self.errors.add(field, "must be a date, YYYY-MM-DD")
        elif parsed > today:
            self.errors.add(field, "must not be in the future")

    def one_of(self, field: str, value: Any, allowed: frozenset[str]) -> None:
        if value and value not in allowed:
            self.errors.add(field, f"must be one of {', '.join(sorted(allowed))}")

    def between(self, field: str, value: Any, low: int, high: int) -> None:
        if value is not None and not low <= int(value) <= high:
            self.errors.add(field, f"must be between {low} and {high}")

    def uuids(self, field: str, values: Any) -> None:
        for index, value in enumerate(values or ()):
            try:
                uuid.UUID(str(value))
            except ValueError:
                self.errors.add(f"{field}[{index}]", f"{value!r} is not a UUID", "INVALID_ID")

    def done(self) -> None:
        self.errors.raise_if_any()
