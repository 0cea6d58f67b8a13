"""The C load generators of `pulseone bench`, so the client is not what limits a figure: wrk for
HTTP/1.1 through the gateway, h2load (nghttp2-client) for gRPC straight to a service, pgbench for
PostgreSQL alone. Each runs at N concurrent clients for a fixed time and is read back as a Run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from scripts.bench_measure import Latency, Run
from scripts.stack import postgres_bin

THREADS = 2
"""Load threads: one per core of the machines the bench is made for."""
REQUESTS_SCRIPT = Path(__file__).with_name("bench_requests.lua")
EMPTY_GRPC_MESSAGE = b"\x00\x00\x00\x00\x00"
"""A gRPC frame: not compressed, length 0 (an empty request message)."""


def _tool(name: str, package: str, found: str | None = None) -> str:
    found = found or shutil.which(name)
    if found is None:
        raise SystemExit(f"the bench needs {name}: `make bench` installs it as root, or apt-get install {package}")
    return found


def _run(command: list[str], seconds: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)


def wrk(
    url: str, requests: Path, concurrency: int, seconds: int, script: Path = REQUESTS_SCRIPT, *arguments: str
) -> Run:
    """Replay the requests file (see bench_requests.lua) at `url`'s host with `concurrency` connections;
    `arguments` follow the file and the thread count to the script. A non-2xx answer, a timeout or a
    broken connection is an error."""
    command = [
        _tool("wrk", "wrk"), f"-t{THREADS}", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "30s",
        "-s", str(script), url, "--", str(requests), str(THREADS), *arguments,
    ]  # fmt: skip
    finished = _run(command, seconds)
    if finished.returncode != 0:
        raise SystemExit(f"wrk failed ({finished.returncode}): {finished.stderr.strip() or finished.stdout.strip()}")
    summary: dict[str, int] = json.loads(finished.stdout.strip().splitlines()[-1])
    answered = summary["requests"] - summary["non_2xx"]
    latency = Latency(summary["p50_us"] / 1000, summary["p95_us"] / 1000, summary["p99_us"] / 1000)
    return Run(answered, summary["non_2xx"] + summary["socket_errors"], summary["duration_us"] / 1e6, latency)


def h2load_grpc(url: str, concurrency: int, seconds: int, workdir: Path) -> Run:
    """Unary gRPC calls with an empty request to `url` (`http://host:port/package.Service/Method`),
    `concurrency` connections of one stream each. h2load sees HTTP statuses, not grpc-status: the
    caller checks one answer itself."""
    frame, log = workdir / "empty.grpc", workdir / "h2load.log"
    frame.write_bytes(EMPTY_GRPC_MESSAGE)
    log.unlink(missing_ok=True)
    command = [
        _tool("h2load", "nghttp2-client"), "-c", str(concurrency), "-m", "1", "-t", str(THREADS),
        "-D", str(seconds), f"--log-file={log}", "-d", str(frame),
        "-H", "content-type: application/grpc", "-H", "te: trailers", url,
    ]  # fmt: skip
    finished = _run(command, seconds)
    counts = re.search(r"requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed", finished.stdout)
    if finished.returncode != 0 or counts is None:
        raise SystemExit(f"h2load failed ({finished.returncode}): {finished.stderr.strip() or finished.stdout[-500:]}")
    rows = [line.split("\t") for line in log.read_text().splitlines()]
    answered = [int(row[2]) / 1000 for row in rows if row[1] == "200"]
    errors = len(rows) - len(answered) + int(counts.group(1))
    return Run(len(answered), errors, float(seconds), Latency.of(answered))


def pgbench_path() -> str:
    """pgbench beside the PostgreSQL server binaries the platform runs, else the one on PATH."""
    beside = postgres_bin() / "pgbench"
    return _tool("pgbench", "postgresql (the server package carries it)", str(beside) if beside.exists() else None)


def pgbench(url: str, script: Path, concurrency: int, seconds: int, log_prefix: Path | None = None) -> tuple[Run, str]:
    """Run a pgbench script (each run of it one transaction as pgbench counts them) with
    `concurrency` clients on two threads, prepared statements. Per-transaction latencies come from
    pgbench's log when `log_prefix` is given. A failed transaction or an aborted client is an error;
    the first error PostgreSQL reported comes with the run ("" when none)."""
    logging = ["-l", f"--log-prefix={log_prefix}"] if log_prefix is not None else []
    command = [
        pgbench_path(), "-n", "-c", str(concurrency), "-j", str(THREADS), "-T", str(seconds),
        "-M", "prepared", "-f", str(script), *logging, url,
    ]  # fmt: skip
    finished = _run(command, seconds)
    processed = re.search(r"number of transactions actually processed: (\d+)", finished.stdout)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", finished.stdout)
    if processed is None or tps is None:
        raise SystemExit(f"pgbench failed ({finished.returncode}): {finished.stderr.strip()[-800:]}")
    failed = re.search(r"number of failed transactions: (\d+)", finished.stdout)
    aborted = finished.stderr.count(" aborted in command ")
    done, rate = int(processed.group(1)), float(tps.group(1))
    latencies = _pgbench_latencies(log_prefix) if log_prefix is not None else []
    seconds_measured = done / rate if rate > 0 else float(seconds)
    first_error = next((line for line in finished.stderr.splitlines() if "ERROR" in line), "")
    errors = (int(failed.group(1)) if failed else 0) + aborted
    return Run(done, errors, seconds_measured, Latency.of(latencies)), first_error


def _pgbench_latencies(prefix: Path) -> list[float]:
    """Milliseconds per transaction from pgbench's logs (one file per thread; the third column is
    the transaction's time in microseconds)."""
    latencies = []
    for log in prefix.parent.glob(f"{prefix.name}.*"):
        latencies += [int(line.split()[2]) / 1000 for line in log.read_text().splitlines() if line]
        log.unlink()
    return latencies
