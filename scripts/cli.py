"""`pulseone`: the operator's command: up, serve, gateway, status, migrate, admin, demo, bench, faults, events, keys."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import runpy
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url

from scripts.metrics import figures
from scripts.platform import (
    KEY_RING,
    ROLE_PASSWORDS,
    SERVICES,
    Platform,
    ServiceSpec,
    create_keys,
    health_status,
    service_spec,
    wait_forever,
)
from scripts.stack import ROOT, Postgres, database_url, free_port, provision_database

STATE = Path(os.environ.get("PULSEONE_STATE_DIR", ROOT / ".pulseone"))


def _print(message: str) -> None:
    print(f"  {message}", flush=True)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops `pulseone up` and `pulseone bench` as Ctrl-C does: their platform is stopped."""
    raise KeyboardInterrupt


# Where `pulseone up` records the instances it started, for `pulseone status`.
INSTANCES = STATE / "instances.json"


def _replicas(text: str) -> tuple[str, int]:
    name, _, count = text.partition("=")
    if name not in {spec.name for spec in SERVICES} or not count.isdigit() or not 1 <= int(count) <= 8:
        raise argparse.ArgumentTypeError(f"expected SERVICE=N with N from 1 to 8, got {text!r}")
    return name, int(count)


def up(args: argparse.Namespace) -> int:
    replicas = dict(args.replicas or [])
    platform = Platform(
        STATE,
        gateway_port=args.port,
        replicas=replicas,
        database_server_url=os.environ.get("PULSEONE_DATABASE_URL") or None,
        nats_url=os.environ.get("PULSEONE_NATS_URL") or None,
        log_level=os.environ.get("PULSEONE_LOG_LEVEL", "INFO"),
    )
    # The first replica's metrics at its port + 1000 (as ever); the others' at free ports.
    platform.metrics_ports = {
        instance: spec.metrics_port if instance == spec.name else free_port()
        for spec in SERVICES
        for instance in platform.instances(spec)
    }
    signal.signal(signal.SIGTERM, _interrupt)
    print("PulseOne is starting:", flush=True)
    try:
        platform.start(_print)
        INSTANCES.write_text(json.dumps(platform.instance_table(), indent=2))
        database = "external" if platform.database_server_url else f"127.0.0.1:{platform.postgres_port}"
        print(
            "\nPulseOne is running:\n"
            f"  gateway (REST, gRPC, gRPC-Web)  {platform.gateway_url}\n"
            f"  health                          {platform.gateway_url}/health\n"
            + "".join(
                f"  {row['instance']:<32}127.0.0.1:{row['port']} (gRPC, reflection)\n"
                for row in platform.instance_table()
            )
            + f"  PostgreSQL                      {database}\n"
            f"  NATS                            {platform.events_url()}\n"
            f"  Envoy admin                     http://127.0.0.1:{platform.admin_port}\n"
            f"  state and logs                  {STATE}\n"
            "Create the first administrator with: pulseone admin create --email you@example.com\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        wait_forever()
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
    finally:
        platform.stop()
    print("stopped; data is kept in", STATE)
    return 0


def _instances() -> list[dict[str, Any]]:
    """What the running `pulseone up` recorded; one instance of each service at its port otherwise."""
    if INSTANCES.exists():
        recorded: list[dict[str, Any]] = json.loads(INSTANCES.read_text())
        return recorded
    return [{"instance": s.name, "service": s.name, "port": s.port, "metricsPort": s.metrics_port} for s in SERVICES]


def status(args: argparse.Namespace) -> int:
    healthy = True
    for row in _instances():
        spec = _service(row["service"])
        address = f"127.0.0.1:{row['port']}"
        service = health_status(address, spec.grpc_service)
        events = health_status(address, "pulseone.events")
        healthy &= service == "SERVING"
        link = "connected" if events == "SERVING" else events
        print(f"{row['instance']:<16} {address:<18} {service:<12} events: {link}")
        if row.get("metricsPort"):
            metrics = f"http://127.0.0.1:{row['metricsPort']}/metrics"
            print(f"{'':<16} {figures(spec.name, metrics)}")
    try:
        gateway = httpx.get(f"http://127.0.0.1:{args.port}/health", timeout=2).status_code
        gateway_state = "SERVING" if gateway == 200 else f"HTTP {gateway}"
    except httpx.HTTPError:
        gateway_state = "UNREACHABLE"
    healthy &= gateway_state == "SERVING"
    print(f"{'gateway':<16} {'127.0.0.1:' + str(args.port):<18} {gateway_state}")
    return 0 if healthy else 1


def _server_url() -> str:
    url = os.environ.get("PULSEONE_DATABASE_URL")
    if url:
        return url
    return Postgres.existing(STATE / "postgres").url()


def _service(name: str) -> ServiceSpec:
    return service_spec(name)


def serve(args: argparse.Namespace) -> int:
    """Run one service in the foreground until SIGTERM or SIGINT, configured by its PULSEONE_*
    variables: exactly what `python -m services.<name>` runs. `pulseone up` and the container image
    both start services this way, so a local run exercises the image's entry point."""
    runpy.run_module(_service(args.service).module, run_name="__main__")
    return 0


def gateway(args: argparse.Namespace) -> int:
    """Envoy in the foreground, configured from PULSEONE_* variables (the image's gateway), or its
    configuration printed: what the Helm chart's test compares with."""
    from scripts.gateway import GatewayEnvironment, configuration, exec_envoy  # noqa: PLC0415
    from services.common.config import load_settings  # noqa: PLC0415

    environment = load_settings(GatewayEnvironment)
    if not args.print:
        exec_envoy(environment, os.environ)
    print(configuration(environment, os.environ))
    return 0


def _migrate(spec: ServiceSpec, url: str, runtime_role: str | None) -> None:
    from services.common.db import migrate  # noqa: PLC0415

    head = migrate(url, spec.migrations, runtime_role=runtime_role)
    print(f"{make_url(url).database}: at {head}" + (f", {runtime_role} granted" if runtime_role else ""))


def _provisioned(spec: ServiceSpec) -> None:
    """The service's database of the local stack's server (or the PULSEONE_DATABASE_URL one), made
    with its roles as `pulseone up` makes it, migrated as its owner."""
    database = provision_database(_server_url(), spec.database, STATE / ROLE_PASSWORDS)
    _migrate(spec, database.owner_url, database.runtime_role)


def migrate(args: argparse.Namespace) -> int:
    """One service's migrations on its own database, as a Kubernetes Job per service runs them: as
    PULSEONE_MIGRATION_DATABASE_URL (the schema's owner), granting PULSEONE_DATABASE_URL's role what
    the service may do, or as PULSEONE_DATABASE_URL alone. Without PULSEONE_DATABASE_URL, or for
    every service, each database of the local stack's server is migrated as its owner."""
    if args.service and os.environ.get("PULSEONE_DATABASE_URL"):
        from services.common.config import DatabaseSettings, load_settings  # noqa: PLC0415

        settings = load_settings(DatabaseSettings)
        _migrate(_service(args.service), settings.migration_url, settings.runtime_role)
        return 0
    for spec in SERVICES:
        if not args.service or spec.name == args.service:
            _provisioned(spec)
    return 0


def admin_create(args: argparse.Namespace) -> int:
    """Create a SYSTEM_ADMIN directly in the auth database (the first one cannot be created any other way)."""
    from services.auth.use_cases.accounts import create_system_admin  # noqa: PLC0415
    from services.common.errors import DomainError  # noqa: PLC0415

    password = args.password or os.environ.get("PULSEONE_ADMIN_PASSWORD") or getpass.getpass("password: ")
    url = args.database_url or database_url(_server_url(), "authdb")
    try:
        account = asyncio.run(create_system_admin(url, args.email, password, args.first_name, args.last_name))
    except DomainError as error:
        details = "; ".join(f"{v.field}: {v.description}" for v in error.violations) or error.message
        raise SystemExit(f"cannot create the administrator: {details}") from None
    print(f"created SYSTEM_ADMIN {account.email} ({account.id})")
    return 0


def demo(args: argparse.Namespace) -> int:
    """The seed's patient journey through the running gateway."""
    from scripts.demo import DemoFailed, run  # noqa: PLC0415

    print(f"PulseOne demo against {args.gateway}:", flush=True)
    try:
        run(args.gateway, database_url(_server_url(), "authdb"), say=lambda line: print(line, flush=True))
    except DemoFailed as failure:
        print(f"demo failed: {failure}", file=sys.stderr)
        return 1
    print("the journey is complete.")
    return 0


def bench(args: argparse.Namespace) -> int:
    """The platform measured on a fresh platform of its own (real PostgreSQL with fsync): scenarios
    beside their ceilings, or a soak; prints the table, writes the JSON and the chart."""
    from scripts.bench import Options  # noqa: PLC0415
    from scripts.bench import run as run_bench  # noqa: PLC0415
    from scripts.bench_report import save, text  # noqa: PLC0415

    signal.signal(signal.SIGTERM, _interrupt)
    started = datetime.now().astimezone()
    figures = Path(args.json) if args.json else STATE / "bench" / f"bench-{started:%Y%m%d-%H%M%S}.json"
    options = Options(
        seconds=args.seconds, warm_up=args.warm_up, concurrency=args.concurrency, dispenses=args.dispenses,
        soak=args.soak,
    )  # fmt: skip
    what = f"a {args.soak} s soak" if args.soak else "the suite"
    print(f"PulseOne bench: {what}, {args.concurrency} concurrent clients", flush=True)
    report = run_bench(options, say=lambda line: print(line, flush=True))
    print("\n".join(["", *text(report)]))
    chart = save(report, figures, started)
    print(f"\nJSON (every figure): {figures}\nchart: {chart}")
    if not report.passed:
        print("a check failed: see CHECK FAILED above", file=sys.stderr)
    return 0 if report.passed else 1


def events_replay(args: argparse.Namespace) -> int:
    """Republish every event recorded since a time, from each service's outbox."""
    from services.common.outbox import replay  # noqa: PLC0415

    since = datetime.fromisoformat(args.since.replace("Z", "+00:00"))
    if since.tzinfo is None:
        raise SystemExit("--since needs a time zone offset, e.g. 2026-11-25T08:00:00Z")
    nats_url = os.environ.get("PULSEONE_NATS_URL") or _local_nats_url()
    server = _server_url()
    for spec in SERVICES:
        if args.service and spec.name != args.service:
            continue
        count = asyncio.run(replay(database_url(server, spec.database), nats_url, since))
        print(f"{spec.name}: republished {count} events")
    return 0


def _local_nats_url() -> str:
    record = STATE / "ports" / "nats"
    return f"nats://127.0.0.1:{record.read_text().strip() if record.exists() else 4222}"


def keys_rotate(args: argparse.Namespace) -> int:
    from services.auth.crypto import rotate_key_ring  # noqa: PLC0415

    path = Path(args.key_ring or STATE / "keys" / KEY_RING)
    kid = rotate_key_ring(path, timedelta(minutes=args.publish_ahead_minutes))
    print(f"added key {kid}; it is published now and signs from {args.publish_ahead_minutes} minutes on")
    return 0


def keys_create(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    made = create_keys(directory)
    for path in made:
        print(f"created {path}")
    if not made:
        print(f"{directory} already holds every key; nothing was changed")
    print(
        "make them the chart's keys Secret (then set keys.existingSecret=pulseone-keys):\n"
        f"  kubectl create secret generic pulseone-keys --from-file={directory}"
    )
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="pulseone", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    up_command = commands.add_parser("up", help="start the whole platform and wait for Ctrl-C")
    up_command.add_argument("--port", type=int, default=8000, help="gateway port")
    up_command.add_argument(
        "--replicas",
        type=_replicas,
        action="append",
        metavar="SERVICE=N",
        help="run N replicas of SERVICE behind the gateway and its callers (repeatable; default 1 each)",
    )
    up_command.set_defaults(run=up)
    status_command = commands.add_parser("status", help="health of every component")
    status_command.add_argument("--port", type=int, default=8000, help="gateway port")
    status_command.set_defaults(run=status)
    names = [spec.name for spec in SERVICES]
    serve_command = commands.add_parser("serve", help="run one service in the foreground until SIGTERM")
    serve_command.add_argument("service", choices=names)
    serve_command.set_defaults(run=serve)
    gateway_command = commands.add_parser(
        "gateway", help="run Envoy configured from PULSEONE_* variables (the container's gateway)"
    )
    gateway_command.add_argument("--print", action="store_true", help="print the configuration instead")
    gateway_command.set_defaults(run=gateway)
    migrate_command = commands.add_parser("migrate", help="apply every service's migrations, or one service's")
    migrate_command.add_argument(
        "service",
        nargs="?",
        choices=names,
        help="only this service, on the database PULSEONE_DATABASE_URL names, as PULSEONE_MIGRATION_DATABASE_URL's "
        "role when set (default: every service, each on its own database of the PULSEONE_DATABASE_URL server or "
        "the local stack's, made with its roles as `pulseone up` does and migrated as its owner)",
    )
    migrate_command.set_defaults(run=migrate)
    admin = commands.add_parser("admin", help="administrator accounts").add_subparsers(dest="admin", required=True)
    create = admin.add_parser("create", help="create a SYSTEM_ADMIN")
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="prompted for when omitted (or PULSEONE_ADMIN_PASSWORD)")
    create.add_argument("--first-name", default="System")
    create.add_argument("--last-name", default="Administrator")
    create.add_argument(
        "--database-url",
        help='the auth service\'s own database, used as given (in its container: "$PULSEONE_DATABASE_URL");'
        " default: authdb of the local stack, or on the server PULSEONE_DATABASE_URL names",
    )
    create.set_defaults(run=admin_create)
    demo_command = commands.add_parser("demo", help="run the seed's patient journey through the gateway")
    demo_command.add_argument("--gateway", default="http://127.0.0.1:8000")
    demo_command.set_defaults(run=demo)
    bench_command = commands.add_parser(
        "bench", help="measure the hot paths beside their ceilings on a platform of its own (or --soak)"
    )
    bench_command.add_argument("--seconds", type=int, default=10, help="measured seconds per scenario (default 10)")
    bench_command.add_argument("--warm-up", type=int, default=2, help="warm-up seconds per scenario (default 2)")
    bench_command.add_argument("--concurrency", type=int, default=50, help="concurrent clients (default 50)")
    bench_command.add_argument(
        "--dispenses", type=int, default=1500, help="prescriptions prepared for the two dispense scenarios"
    )
    bench_command.add_argument(
        "--soak", type=int, nargs="?", const=300, metavar="SECONDS",
        help="instead of the suite, a steady mixed load for SECONDS (default 300) with memory sampled throughout",
    )  # fmt: skip
    bench_command.add_argument(
        "--json",
        metavar="PATH",
        help=f"where the figures go (default {STATE / 'bench'}/bench-<time>.json; the PNG beside it)",
    )
    bench_command.set_defaults(run=bench)
    event_commands = commands.add_parser("events", help="the event stream").add_subparsers(dest="events", required=True)
    replay_command = event_commands.add_parser("replay", help="republish events recorded since a time")
    replay_command.add_argument("--since", required=True, help="RFC 3339 time, e.g. 2026-11-25T08:00:00Z")
    replay_command.add_argument("--service", help="only this service's events")
    replay_command.set_defaults(run=events_replay)
    _add_keys_commands(commands)
    _add_faults_command(commands)
    return root


def faults(args: argparse.Namespace) -> int:
    """SPEC 5's "nothing lost" tested on a platform of its own: load, faults, settle, checks."""
    from scripts.faults import Options, save, text  # noqa: PLC0415
    from scripts.faults import run as run_faults  # noqa: PLC0415

    signal.signal(signal.SIGTERM, _interrupt)
    print(f"PulseOne faults: {args.clients} clients for {args.seconds} s", flush=True)
    report = run_faults(Options(seconds=args.seconds, clients=args.clients), say=lambda line: print(line, flush=True))
    print("\n".join(["", *text(report)]))
    if args.json:
        save(report, Path(args.json))
        print(f"JSON: {args.json}")
    return 0 if report.passed else 1


def _add_faults_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "faults", help="kill, stop and pause parts of a platform of its own under load, then check nothing was lost"
    )
    command.add_argument("--seconds", type=int, default=60, help="seconds of load; the faults scale with it")
    command.add_argument("--clients", type=int, default=8, help="concurrent clients through the gateway")
    command.add_argument("--json", metavar="PATH", help="write the report's counts there")
    command.set_defaults(run=faults)


def _add_keys_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("keys", help="signing keys").add_subparsers(dest="keys", required=True)
    rotate = keys.add_parser("rotate", help="publish a new signing key that takes over after a delay")
    rotate.add_argument("--key-ring", help="key ring file (default: the local stack's)")
    rotate.add_argument(
        "--publish-ahead-minutes", type=int, default=10, help="at least the gateway's JWKS cache period"
    )
    rotate.set_defaults(run=keys_rotate)
    create_keys_command = keys.add_parser(
        "create", help="make the platform's keys in a directory (the chart's keys Secret, brought by you)"
    )
    create_keys_command.add_argument("directory", help="made if missing; keys it already holds are kept")
    create_keys_command.set_defaults(run=keys_create)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
