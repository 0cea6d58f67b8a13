"""The local platform's own secrets: made once, readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from scripts.platform import Platform
from services.common.forwarded import GATEWAY_SECRET_ENV


def test_the_gateway_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    platform = Platform(tmp_path)
    secret = platform.gateway_secret()
    assert len(secret) >= 32
    assert Platform(tmp_path).gateway_secret() == secret
    assert stat.S_IMODE(platform.gateway_secret_file.stat().st_mode) == 0o600
    assert platform.gateway_env() == {GATEWAY_SECRET_ENV: secret}
