"""Every paginated list over REST: real page tokens walk the list; any other token is 400 INVALID_PAGE_TOKEN."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Account, error_info, field_violations, register
from tests.e2e.test_appointments import _ok, ready_doctor, virtual_session
from tests.e2e.test_profiles import clinic_of, eventually
from tests.forged_tokens import unsigned_page_token


@dataclass(frozen=True)
class Query:
    path: str
    headers: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ListRoute:
    """A list route, a query of it with at least two rows, and another query of the same list."""

    key: str
    query: Query
    other: Query
    item_id: Callable[[dict[str, Any]], str] = lambda item: str(item["id"])


LISTS = ["users", "doctors", "ratings", "clinics", "pharmacies", "sessions", "appointments", "history"]


def fetch(gateway: httpx.Client, query: Query, **params: str | int) -> httpx.Response:
    return gateway.get(query.path, params={**query.params, **params}, headers=query.headers)


def completed_visit(gateway: httpx.Client, doctor: Account, patient: Account, session: dict[str, Any]) -> None:
    booked = _ok(
        gateway.post(
            "/api/appointments",
            json={"sessionId": session["id"], "appointmentType": "VIRTUAL"},
            headers=patient.headers,
        )
    )
    appointment = f"/api/appointments/{booked['id']}"
    _ok(gateway.post(f"{appointment}/check-in", headers=doctor.headers))
    _ok(gateway.post(f"{appointment}/start", json={}, headers=doctor.headers))
    _ok(gateway.post(f"{appointment}/complete", json={}, headers=doctor.headers))


def rate(gateway: httpx.Client, patient: Account, doctor: Account) -> None:
    """Once the completed visit has reached the profile service."""

    def rated() -> None:
        _ok(gateway.post(f"/api/doctors/{doctor.id}/ratings", json={"rating": 5}, headers=patient.headers))

    eventually(rated)


@pytest.fixture(scope="module")
def routes(gateway: httpx.Client, admin: Account) -> dict[str, ListRoute]:
    """Two rows at least in every list: visits completed and rated, clinics and pharmacies registered."""
    doctor, other_doctor = ready_doctor(gateway, admin), ready_doctor(gateway, admin)
    first, second = virtual_session(gateway, doctor, days_ahead=3), virtual_session(gateway, doctor, days_ahead=4)
    patient, other_patient = register(gateway, "PATIENT"), register(gateway, "PATIENT")
    completed_visit(gateway, doctor, patient, first)
    completed_visit(gateway, doctor, patient, second)
    completed_visit(gateway, doctor, other_patient, first)
    for rater in (patient, other_patient):
        rate(gateway, rater, doctor)
    for _ in range(2):
        clinic_of(gateway, register(gateway, "CLINIC_ADMIN"))
        register(gateway, "PHARMACY")
    eventually(lambda: _assert_at_least_two(gateway, Query("/api/pharmacies", admin.headers), "pharmacies"))
    ratings = f"/api/doctors/{doctor.id}/ratings"
    history = f"/api/patients/{patient.id}/history"
    return {
        "users": ListRoute(
            "users",
            Query("/api/auth/users", admin.headers, {"role": "PATIENT"}),
            Query("/api/auth/users", admin.headers, {"role": "DOCTOR"}),
        ),
        "doctors": ListRoute(
            "doctors",
            Query("/api/doctors", admin.headers),
            Query("/api/doctors", admin.headers, {"specialization": "Cardiology"}),
        ),
        "ratings": ListRoute(
            "ratings",
            Query(ratings, patient.headers),
            Query(f"/api/doctors/{other_doctor.id}/ratings", patient.headers),
            lambda item: str(item["patientId"]),
        ),
        "clinics": ListRoute(
            "clinics", Query("/api/clinics", admin.headers), Query("/api/clinics", admin.headers, {"query": "Lanka"})
        ),
        "pharmacies": ListRoute(
            "pharmacies",
            Query("/api/pharmacies", admin.headers),
            Query("/api/pharmacies", admin.headers, {"query": "Green"}),
        ),
        "sessions": ListRoute(
            "sessions",
            Query("/api/sessions", doctor.headers, {"doctorId": doctor.id}),
            Query("/api/sessions", doctor.headers, {"doctorId": doctor.id, "activeOnly": "true"}),
        ),
        "appointments": ListRoute(
            "appointments",
            Query("/api/appointments", patient.headers),
            Query("/api/appointments", patient.headers, {"status": "COMPLETED"}),
        ),
        "history": ListRoute(
            "appointments",
            Query(history, patient.headers),
            Query(history, doctor.headers),  # the same list asked by another caller
            lambda item: str(item["appointment"]["id"]),
        ),
    }


def _assert_at_least_two(gateway: httpx.Client, query: Query, key: str) -> None:
    assert len(_ok(fetch(gateway, query, pageSize=2))[key]) == 2


@pytest.fixture(scope="module")
def first_tokens(gateway: httpx.Client, routes: dict[str, ListRoute]) -> dict[str, str]:
    """The next-page token of each list's first page of one row."""
    tokens = {name: _ok(fetch(gateway, route.query, pageSize=1))["nextPageToken"] for name, route in routes.items()}
    assert all(tokens.values()), tokens
    return tokens


FORGED = {
    "probe": unsigned_page_token({"t": "not a time", "id": "x"}),
    "old-format-bad-time": unsigned_page_token({"createTime": "not a time", "id": "x"}),
    "old-format-bad-date": unsigned_page_token({"date": "x", "id": "x"}),
    "old-format-huge-number": unsigned_page_token({"date": "2030-01-01", "queueNumber": 10**30, "id": "x"}),
    "old-format-wrong-types": unsigned_page_token({"lastName": 1, "firstName": [], "id": None}),
    "old-format-ratings": unsigned_page_token({"createTime": "2030-01-01T00:00:00+00:00", "patientId": 5}),
    "signed-looking": unsigned_page_token(["2030-01-01T00:00:00+00:00", "00000000-0000-0000-0000-000000000000"])
    + "."
    + "A" * 43,
    "garbage": "garbage!",
}


def assert_invalid_page_token(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert error_info(response)["reason"] == "INVALID_PAGE_TOKEN"
    assert field_violations(response) == {"pageToken": "INVALID_PAGE_TOKEN"}


@pytest.mark.parametrize("name", LISTS)
def test_real_page_tokens_walk_every_list(gateway: httpx.Client, routes: dict[str, ListRoute], name: str) -> None:
    route = routes[name]
    whole = [route.item_id(item) for item in _ok(fetch(gateway, route.query, pageSize=200))[route.key]]
    walked: list[str] = []
    token = ""
    while len(walked) < 3:
        page = _ok(fetch(gateway, route.query, pageSize=1, pageToken=token))
        walked += [route.item_id(item) for item in page[route.key]]
        token = page["nextPageToken"]
        if not token:
            break
    assert len(walked) >= 2
    assert walked == whole[: len(walked)]


@pytest.mark.parametrize("name", LISTS)
def test_forged_page_tokens_are_invalid_on_every_list(
    gateway: httpx.Client, routes: dict[str, ListRoute], name: str
) -> None:
    for label, token in FORGED.items():
        response = fetch(gateway, routes[name].query, pageToken=token)
        assert response.status_code == 400, (label, response.text)
        assert_invalid_page_token(response)


@pytest.mark.parametrize("name", LISTS)
def test_truncated_page_tokens_are_invalid_on_every_list(
    gateway: httpx.Client, routes: dict[str, ListRoute], first_tokens: dict[str, str], name: str
) -> None:
    token = first_tokens[name]
    for truncated in (token[:-1], token[: len(token) // 2], token.split(".")[0]):
        assert_invalid_page_token(fetch(gateway, routes[name].query, pageToken=truncated))


@pytest.mark.parametrize("name", LISTS)
def test_a_page_token_of_another_list_is_invalid(
    gateway: httpx.Client, routes: dict[str, ListRoute], first_tokens: dict[str, str], name: str
) -> None:
    for other in LISTS:
        if other != name:
            assert_invalid_page_token(fetch(gateway, routes[name].query, pageToken=first_tokens[other]))


@pytest.mark.parametrize("name", LISTS)
def test_a_page_token_of_the_same_list_with_other_filters_is_invalid(
    gateway: httpx.Client, routes: dict[str, ListRoute], first_tokens: dict[str, str], name: str
) -> None:
    assert_invalid_page_token(fetch(gateway, routes[name].other, pageToken=first_tokens[name]))
