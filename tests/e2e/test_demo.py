"""`pulseone demo` completes the seed's journey through the gateway: consultation, prescription, dispense."""

from __future__ import annotations

import os
import subprocess
import sys

from scripts.platform import Platform
from scripts.stack import ROOT


def test_the_demo_completes_the_journey(platform: Platform) -> None:
    env = {**os.environ, "PULSEONE_DATABASE_URL": platform.server_url()}
    result = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "demo", "--gateway", platform.gateway_url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the journey is complete." in result.stdout
    assert "diagnosis: Viral upper respiratory infection; status COMPLETED" in result.stdout
    assert "FILLED: PCM-SOON x10, PCM-LATE x5" in result.stdout
    assert "recording: STOPPED" in result.stdout
    assert "video COMPLETED; appointment COMPLETED" in result.stdout
