"""The local platform's own secrets: made once, readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from scripts.platform import GATEWAY_SECRET, Platform, create_keys
from services.common.forwarded import GATEWAY_SECRET_ENV


def test_the_gateway_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    platform = Platform(tmp_path)
    assert platform.keys / GATEWAY_SECRET in create_keys(platform.keys)
    secret = platform.gateway_secret()
    assert len(secret) >= 32
    assert create_keys(platform.keys) == []
    assert Platform(tmp_path).gateway_secret() == secret
    assert stat.S_IMODE((platform.keys / GATEWAY_SECRET).stat().st_mode) == 0o600
    assert platform.gateway_env() == {GATEWAY_SECRET_ENV: secret}
