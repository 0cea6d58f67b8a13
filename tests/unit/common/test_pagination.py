"""Page tokens: signed, bound to their list and filters, and checked value by value when they come back."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.common.errors import InvalidArgument
from services.common.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Keyset,
    Page,
    PageTokens,
    Position,
    create_page_token_key,
    page_size,
)
from tests.forged_tokens import unsigned_page_token

PAGES = PageTokens(b"k" * 32)
APPOINTMENTS = Keyset("appointments", (date, int, uuid.UUID))
USERS = Keyset("users", (datetime, uuid.UUID))
SESSIONS = Keyset("sessions", (datetime, uuid.UUID))
FILTERS: dict[str, object] = {"status": "BOOKED", "doctorId": uuid.UUID(int=7), "upcoming": True}
POSITION = (date(2030, 1, 31), 3, uuid.UUID(int=1))


def token_for(position: Position, keyset: Keyset = APPOINTMENTS, pages: PageTokens = PAGES) -> str:
    """The next-page token of a page of one row, `position` being where that row stands."""
    page = pages.page(keyset, size=1, token="", filters=FILTERS)
    return page.split(["last row", "one more"], lambda _: position).next_page_token


def opened(token: str, keyset: Keyset = APPOINTMENTS, filters: dict[str, object] = FILTERS) -> Position | None:
    return PAGES.page(keyset, size=10, token=token, filters=filters).after


def refused(token: str, keyset: Keyset = APPOINTMENTS, filters: dict[str, object] = FILTERS) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as raised:
        opened(token, keyset, filters)
    return raised.value


def test_a_token_brings_back_the_typed_position_it_was_made_for() -> None:
    assert opened(token_for(POSITION)) == POSITION
    instant = (datetime(2030, 1, 31, 9, 30, 0, 123456, tzinfo=UTC), uuid.UUID(int=2))
    assert opened(token_for(instant, USERS), USERS) == instant


def test_the_longest_names_a_list_can_end_on_still_make_a_token() -> None:
    doctors = Keyset("doctors", (str, str, uuid.UUID))
    longest = ("\U0001d504" * 100, "日" * 100, uuid.UUID(int=3))  # four and three bytes in UTF-8
    assert opened(token_for(longest, doctors), doctors) == longest


def test_no_token_is_the_first_page_and_the_last_page_has_no_token() -> None:
    page = PAGES.page(APPOINTMENTS, size=2, token="", filters=FILTERS)
    assert (page.after, page.limit, page.fetch) == (None, 2, 3)
    assert page.split(["a", "b"], lambda _: POSITION) == Page(["a", "b"], "")


def test_page_sizes_default_clamp_and_refuse_negatives() -> None:
    assert (page_size(0), page_size(7), page_size(10_000)) == (DEFAULT_PAGE_SIZE, 7, MAX_PAGE_SIZE)
    with pytest.raises(InvalidArgument):
        page_size(-1)


def test_a_refused_token_is_invalid_page_token_on_the_page_token_field() -> None:
    error = refused("garbage")
    assert error.reason == "INVALID_PAGE_TOKEN"
    assert [(v.field, v.reason) for v in error.violations] == [("pageToken", "INVALID_PAGE_TOKEN")]


@pytest.mark.parametrize(
    "token",
    [
        unsigned_page_token({"date": "not a date", "queueNumber": "x", "id": "x"}),
        unsigned_page_token({"createTime": "not a time", "id": "x"}),
        unsigned_page_token({"t": "not a time", "id": "x"}),
        unsigned_page_token(["2030-01-31", 10**30, str(uuid.UUID(int=1))]),
        unsigned_page_token(["2030-01-31", 3, str(uuid.UUID(int=1))]),
        "garbage",
        ".",
        "a.b.c",
        "é" * 10,
        "x" * 5000,
    ],
    ids=[
        "old-format-bad-values",
        "old-format-other-list",
        "probe",
        "huge-number",
        "right-values-unsigned",
        "garbage",
        "dot",
        "three-parts",
        "not-ascii",
        "huge",
    ],
)
def test_a_token_not_signed_by_the_service_is_refused(token: str) -> None:
    assert refused(token).reason == "INVALID_PAGE_TOKEN"


def test_a_truncated_or_altered_token_is_refused() -> None:
    token = token_for(POSITION)
    payload, signature = token.split(".")
    other_payload = token_for((date(2030, 2, 1), 1, uuid.UUID(int=9))).split(".")[0]
    for broken in (
        token[:-1],
        token[: len(token) // 2],
        payload,
        f"{payload}.",
        f"{other_payload}.{signature}",
        f"{payload}.{signature[::-1]}",
        token + "A",
    ):
        assert refused(broken).reason == "INVALID_PAGE_TOKEN", broken


def test_a_token_signed_with_another_key_is_refused() -> None:
    assert refused(token_for(POSITION, pages=PageTokens(b"o" * 32))).reason == "INVALID_PAGE_TOKEN"


def test_a_token_of_another_list_is_refused_even_with_the_same_shape() -> None:
    position = (datetime(2030, 1, 31, tzinfo=UTC), uuid.UUID(int=3))
    assert refused(token_for(position, USERS), SESSIONS).reason == "INVALID_PAGE_TOKEN"


@pytest.mark.parametrize(
    "filters",
    [
        {"status": "CANCELLED", "doctorId": uuid.UUID(int=7), "upcoming": True},
        {"status": "BOOKED", "doctorId": uuid.UUID(int=8), "upcoming": True},
        {"status": "BOOKED", "doctorId": uuid.UUID(int=7), "upcoming": False},
        {"status": "BOOKED", "doctorId": None, "upcoming": True},
        {"status": "BOOKED", "upcoming": True},
    ],
)
def test_a_token_of_the_same_list_with_other_filters_is_refused(filters: dict[str, object]) -> None:
    assert refused(token_for(POSITION), filters=filters).reason == "INVALID_PAGE_TOKEN"


@pytest.mark.parametrize(
    "position",
    [
        ("not a date", 3, uuid.UUID(int=1)),
        (date(2030, 1, 31), "3", uuid.UUID(int=1)),
        (date(2030, 1, 31), True, uuid.UUID(int=1)),
        (date(2030, 1, 31), 2**31, uuid.UUID(int=1)),
        (date(2030, 1, 31), 3, "x"),
        (date(2030, 1, 31), 3),
        (date(2030, 1, 31), 3, uuid.UUID(int=1), "extra"),
    ],
    ids=["bad-date", "number-as-text", "boolean", "out-of-range", "bad-uuid", "too-few", "too-many"],
)
def test_even_a_signed_token_must_hold_values_of_the_lists_types(position: Position) -> None:
    assert refused(token_for(position)).reason == "INVALID_PAGE_TOKEN"


def test_a_signed_instant_must_carry_its_time_zone() -> None:
    naive = (datetime(2030, 1, 31, 9, 30), uuid.UUID(int=1))
    assert refused(token_for(naive, USERS), USERS).reason == "INVALID_PAGE_TOKEN"


def test_the_key_comes_from_a_private_file_and_a_missing_one_stops_the_service(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "page-token.key"
    create_page_token_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    shared = PageTokens.from_file(path)
    made = token_for(POSITION, pages=shared)
    assert PageTokens.from_file(path).page(APPOINTMENTS, size=1, token=made, filters=FILTERS).after == POSITION
    with pytest.raises(SystemExit):
        PageTokens.from_file(tmp_path / "missing.key")
    (tmp_path / "short.key").write_text(base64.b64encode(b"short").decode())
    with pytest.raises(SystemExit):
        PageTokens.from_file(tmp_path / "short.key")
