"""The `pulseone` console script: a SIGTERM stops it from its first instant.

In a container the command is PID 1, and the kernel drops every signal PID 1 has no handler for.
Python's imports take the first seconds of a start, before `serve` installs its own handlers, so a
pod told to stop then would ignore the kubelet's SIGTERM and wait for its SIGKILL. Nothing heavy is
imported here before the handler is in place.
"""

from __future__ import annotations

import os
import signal
from types import FrameType


def _stop(signum: int, frame: FrameType | None) -> None:
    # Exit at once, as the default action would: a SystemExit raised here could strike inside a
    # finalizer the garbage collector runs during the imports, where Python only prints it as
    # "ignored" and goes on starting (CI saw PID 1 still running 10 s after its SIGTERM). Nothing
    # is open yet that would need closing: a command that holds anything installs its own handler
    # (`serve`: its event loop's, first of all).
    os._exit(128 + signum)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    from scripts.cli import main as run  # noqa: PLC0415 - only once the handler is in place

    return run()
