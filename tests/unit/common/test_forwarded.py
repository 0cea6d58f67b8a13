"""Whose address a call comes from: a forwarded one only with the gateway's secret."""

from __future__ import annotations

from services.common.forwarded import GATEWAY_HEADER, client_address

SECRET = "s" * 43
PEER = "ipv4:127.0.0.1:51234"


def test_a_call_through_the_gateway_comes_from_the_address_the_gateway_appended() -> None:
    metadata = {"x-forwarded-for": "203.0.113.9, 198.51.100.4", GATEWAY_HEADER: SECRET}
    assert client_address(metadata, PEER, SECRET) == "198.51.100.4"


def test_a_forwarded_address_without_the_secret_is_ignored() -> None:
    assert client_address({"x-forwarded-for": "198.51.100.4"}, PEER, SECRET) == "127.0.0.1"


def test_a_forwarded_address_with_a_wrong_secret_is_ignored() -> None:
    metadata = {"x-forwarded-for": "198.51.100.4", GATEWAY_HEADER: "s" * 42 + "t"}
    assert client_address(metadata, PEER, SECRET) == "127.0.0.1"


def test_without_a_configured_secret_no_forwarded_address_is_believed() -> None:
    for secret in (None, ""):
        metadata = {"x-forwarded-for": "198.51.100.4", GATEWAY_HEADER: ""}
        assert client_address(metadata, PEER, secret) == "127.0.0.1"


def test_the_peer_is_the_address_without_the_port() -> None:
    assert client_address({}, "ipv6:[::1]:5000", SECRET) == "::1"
    assert client_address({}, "unix:/tmp/socket", SECRET) == "/tmp/socket"
