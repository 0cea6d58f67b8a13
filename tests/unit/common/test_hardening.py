"""Small guards found by review: request ids, schema revisions a replica serves, outbox rows that
cannot be encoded, dates beyond what the calendar arithmetic holds."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from services.common.db import head_revision, servable_schema
from services.common.errors import InvalidArgument
from services.common.fields import parse_date, require_date, require_instant
from services.common.interceptor import request_id_of
from services.common.outbox import outgoing

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "appointments" / "migrations"


@pytest.mark.parametrize("given", ["", "x" * 129, "a b", "id\x00", "ünïcode", "a\nb"])
def test_a_request_id_that_is_not_a_sane_token_is_replaced(given: str) -> None:
    chosen = request_id_of({"x-request-id": given})
    assert chosen != given
    assert len(chosen) == 36


def test_a_sane_request_id_is_kept() -> None:
    assert request_id_of({"x-request-id": "req-42.a:b_c"}) == "req-42.a:b_c"


def test_a_replica_serves_its_head_and_newer_schemas_but_not_older_ones() -> None:
    servable = servable_schema(MIGRATIONS)
    assert servable(head_revision(MIGRATIONS))
    assert servable("9999_from_a_newer_release")
    assert not servable("0001")
    assert not servable(None)


def test_an_outbox_event_no_release_can_encode_goes_to_the_dead_letters() -> None:
    row = SimpleNamespace(subject="pulseone.nowhere.thing.happened", payload=None, payload_json={"a": 1})
    subject, data = outgoing(row)
    assert subject == "deadletter.outbox.pulseone.nowhere.thing.happened"
    assert data == b'{"a": 1}'


def test_fields_a_newer_release_adds_to_a_json_event_are_skipped() -> None:
    event = {"metadata": {"eventId": "e"}, "user": {"id": "u", "addedLater": True}, "alsoNew": 1}
    row = SimpleNamespace(subject="pulseone.auth.user.approved", payload=None, payload_json=event)
    subject, data = outgoing(row)
    assert subject == "pulseone.auth.user.approved"
    assert data


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_dates_outside_the_platforms_calendar_are_invalid(value: str) -> None:
    assert parse_date(value) is None
    with pytest.raises(InvalidArgument):
        require_date(value, "from")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_instants_at_the_edge_of_the_calendar_are_invalid_not_an_overflow(value: str) -> None:
    with pytest.raises(InvalidArgument):
        require_instant(value, "actualStartTime")
