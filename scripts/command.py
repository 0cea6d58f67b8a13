"""The `pulseone` console script: a SIGTERM stops it from its first instant.

In a container the command is PID 1, and the kernel drops every signal PID 1 has no handler for.
Python's imports take the first seconds of a start, before `serve` installs its own handlers, so a
pod told to stop then would ignore the kubelet's SIGTERM and wait for its SIGKILL. Nothing heavy is
imported here before the handler is in place.
"""

from __future__ import annotations

import signal
from types import FrameType


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    from scripts.cli import main as run  # noqa: PLC0415 - only once the handler is in place

    return run()
