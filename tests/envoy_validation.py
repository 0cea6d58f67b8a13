"""Envoy's own verdict on a gateway configuration (`envoy --mode validate`), which the tests ask for."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scripts.stack import BIN


def envoy_validate(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "envoy"), "--mode", "validate", "-c", str(config), "--use-dynamic-base-id"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
