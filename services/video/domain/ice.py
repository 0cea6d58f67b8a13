"""The ICE servers a participant's peer connection gets: STUN and TURN URLs from configuration, and
for TURN a short-lived credential in the usual REST-API-for-TURN form (coturn's `use-auth-secret`):
the username is "<expiry as Unix time>:<user id>", the credential base64(HMAC-SHA1(secret, username)),
so the TURN server checks it with the shared secret alone and it stops working at the expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class IceServer:
    urls: tuple[str, ...]
    username: str = ""
    credential: str = ""


@dataclass(frozen=True)
class IceConfig:
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: str = ""
    turn_ttl: timedelta = timedelta(hours=1)


def turn_credential(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def ice_servers(config: IceConfig, user_id: str, now: datetime) -> list[IceServer]:
    """What to hand a participant joining now. Nothing configured: host candidates only, which is
    what one machine needs. TURN without a secret is offered without credentials (a server that
    needs none)."""
    servers = []
    if config.stun_urls:
        servers.append(IceServer(config.stun_urls))
    if config.turn_urls:
        if config.turn_secret:
            username = f"{int((now + config.turn_ttl).timestamp())}:{user_id}"
            servers.append(IceServer(config.turn_urls, username, turn_credential(config.turn_secret, username)))
        else:
            servers.append(IceServer(config.turn_urls))
    return servers
