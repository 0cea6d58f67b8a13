"""The caller's address: a forwarded one only when the gateway vouches for it with the shared secret."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

# Set by the gateway on every call it forwards (clients' copies are removed first); its value is the
# secret the gateway and the services share, so a caller that reaches a service's port directly
# cannot claim to be the gateway.
GATEWAY_HEADER = "x-pulseone-gateway"
# Where the gateway and the services find that secret.
GATEWAY_SECRET_ENV = "PULSEONE_GATEWAY_SECRET"  # noqa: S105 - the name of a variable, not a secret


def from_gateway(metadata: Mapping[str, str], secret: str | None) -> bool:
    """The call carries the gateway's secret. Without a configured secret no call does."""
    if not secret:
        return False
    return hmac.compare_digest(metadata.get(GATEWAY_HEADER, "").encode(), secret.encode())


def peer_host(peer: str) -> str:
    """The host of a gRPC peer string: "ipv4:127.0.0.1:5000" or "ipv6:[::1]:5000"."""
    kind, _, rest = peer.partition(":")
    host = rest.rsplit(":", 1)[0] if kind in ("ipv4", "ipv6") else rest
    return host.strip("[]")


def client_address(metadata: Mapping[str, str], peer: str, gateway_secret: str | None) -> str:
    """The entry the gateway appended to X-Forwarded-For (the last one) when the call came through
    the gateway; otherwise the peer itself, whatever forwarding headers the caller set."""
    forwarded = metadata.get("x-forwarded-for", "")
    if forwarded and from_gateway(metadata, gateway_secret):
        return forwarded.rsplit(",", 1)[-1].strip()
    return peer_host(peer)
