"""The whole platform on one machine: what `pulseone up` starts and what the e2e tests start."""

from __future__ import annotations

import os
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from scripts.stack import (
    ROOT,
    Envoy,
    Nats,
    Postgres,
    Process,
    ServiceDatabase,
    free_port,
    port_open,
    provision_database,
    wait_until,
)
from services.auth.crypto import create_key_ring
from services.common.db import migrate
from services.common.forwarded import GATEWAY_SECRET_ENV
from services.common.pagination import create_page_token_key
from services.common.secret_files import write_private
from services.common.tracing import otlp_endpoint

if TYPE_CHECKING:
    # Imported where used: every service process starts through `pulseone serve`, which imports this
    # module, and must not pay for the Envoy API classes (~1 s and ~13 MB each) it never uses.
    from gateway.config import GatewaySettings

DESCRIPTOR_SET = ROOT / "gen" / "pulseone.pb"
# The platform's keys, by the file names the chart's keys Secret uses for them.
KEY_RING, PAGE_TOKEN_KEY, GATEWAY_SECRET = "auth-key-ring.json", "page-token.key", "gateway-secret"
# Under the state directory: a file per database role holding its password.
ROLE_PASSWORDS = "database-roles"


def create_keys(directory: Path) -> list[Path]:
    """Make each key the platform needs that `directory` does not hold yet (readable by the owner
    only): the auth service's signing key ring, the page-token key every service signs page tokens
    with, and the secret the gateway shows the services. Returns the files made; existing ones are kept."""
    makers: dict[str, Callable[[Path], None]] = {
        KEY_RING: create_key_ring,
        PAGE_TOKEN_KEY: create_page_token_key,
        GATEWAY_SECRET: lambda path: write_private(path, secrets.token_urlsafe(36) + "\n"),
    }
    made = []
    for name, make in makers.items():
        path = directory / name
        if not path.exists():
            make(path)
            made.append(path)
    return made


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port: int
    grpc_service: str

    @property
    def database(self) -> str:
        return f"{self.name}db"

    @property
    def metrics_port(self) -> int:
        """Where the local stack serves the service's Prometheus metrics (`pulseone status` reads them)."""
        return self.port + 1000

    @property
    def migrations(self) -> Path:
        return ROOT / "services" / self.name / "migrations"


# Every service, in start order (auth first: the others fetch its JWKS).
SERVICES = [
    ServiceSpec("auth", "services.auth", 8081, "pulseone.auth.v1.AuthService"),
    ServiceSpec("profile", "services.profile", 8082, "pulseone.profile.v1.ProfileService"),
    ServiceSpec("appointments", "services.appointments", 8084, "pulseone.appointments.v1.AppointmentService"),
    ServiceSpec("inventory", "services.inventory", 8083, "pulseone.inventory.v1.InventoryService"),
    ServiceSpec("prescriptions", "services.prescriptions", 8085, "pulseone.prescriptions.v1.PrescriptionService"),
    ServiceSpec("video", "services.video", 8086, "pulseone.video.v1.VideoService"),
]


def service_spec(name: str) -> ServiceSpec:
    """The service of that name."""
    return next(spec for spec in SERVICES if spec.name == name)


Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Platform:
    """PostgreSQL, NATS, every service and Envoy; external PostgreSQL/NATS when URLs are given."""

    state: Path
    gateway_port: int = 8000
    admin_port: int = 9901
    postgres_port: int = 5432
    nats_port: int = 4222
    nats_monitor_port: int = 8222
    service_ports: dict[str, int] = field(default_factory=lambda: {s.name: s.port for s in SERVICES})
    """The port of each instance: a service's first replica is named as the service, the others
    `<service>-2`, `<service>-3`, ... (those not given here get free ports)."""
    replicas: dict[str, int] = field(default_factory=dict)
    """How many replicas of a service to run (1 unless given): its callers and Envoy balance over them."""
    metrics_ports: dict[str, int] = field(default_factory=dict)
    """Instances given a port here serve their metrics on it; platforms of tests and the bench serve none."""
    database_server_url: str | None = None
    nats_url: str | None = None
    durable: bool = True
    gateway_auth_burst: int = 20
    jwks_cache: timedelta = timedelta(minutes=5)
    log_level: str = "INFO"
    extra_env: dict[str, str] = field(default_factory=dict)
    """Further PULSEONE_* settings for every service (e.g. a short event ack wait), applied last."""
    postgres: Postgres | None = None
    databases: dict[str, ServiceDatabase] = field(default_factory=dict)
    """Each service's database (made with its roles at start), by service name."""
    nats: Nats | None = None
    envoy: Envoy | None = None
    services: dict[str, Process] = field(default_factory=dict)
    """The running instances, by name."""

    def __post_init__(self) -> None:
        for spec in SERVICES:
            for instance in self.instances(spec):
                if instance not in self.service_ports:
                    self.service_ports[instance] = free_port()

    def instances(self, spec: ServiceSpec) -> list[str]:
        """The names of a service's replicas: the service's own name, then `<service>-2`, ..."""
        return [spec.name] + [f"{spec.name}-{n}" for n in range(2, self.replicas.get(spec.name, 1) + 1)]

    def spec_of(self, instance: str) -> ServiceSpec:
        """The service an instance is a replica of."""
        return next(spec for spec in SERVICES if instance in self.instances(spec))

    def metrics_of(self, spec: ServiceSpec) -> dict[str, str]:
        """The Prometheus text of each replica of the service, by instance (each serves its own)."""
        return {instance: self.metrics_text(instance) for instance in self.instances(spec)}

    def metrics_text(self, instance: str) -> str:
        """The Prometheus text one instance serves."""
        return httpx.get(f"http://127.0.0.1:{self.metrics_ports[instance]}/metrics", timeout=5).text

    def replica_ports(self, spec: ServiceSpec) -> list[int]:
        return [self.service_ports[instance] for instance in self.instances(spec)]

    def instance_table(self) -> list[dict[str, Any]]:
        """Each instance: its name, service, gRPC port and metrics port (None: it serves no metrics)."""
        return [
            {
                "instance": instance,
                "service": spec.name,
                "port": self.service_ports[instance],
                "metricsPort": self.metrics_ports.get(instance),
            }
            for spec in SERVICES
            for instance in self.instances(spec)
        ]

    def target(self, name: str) -> str:
        """The gRPC target of a service for its callers: its one address, or all its replicas'."""
        ports = self.replica_ports(service_spec(name))
        if len(ports) == 1:
            return f"127.0.0.1:{ports[0]}"
        return "ipv4:" + ",".join(f"127.0.0.1:{port}" for port in ports)

    @property
    def keys(self) -> Path:
        return self.state / "keys"

    @property
    def key_ring(self) -> Path:
        return self.keys / KEY_RING

    @property
    def page_token_key(self) -> Path:
        """One key for every service: each replica of a service must sign page tokens alike."""
        return self.keys / PAGE_TOKEN_KEY

    def gateway_secret(self) -> str:
        """The secret the gateway shows the services (made with the other keys on first start)."""
        return (self.keys / GATEWAY_SECRET).read_text().strip()

    def gateway_env(self) -> dict[str, str]:
        """Envoy's environment: it reads the secret from there (see gateway.config.gateway_proof)."""
        return {GATEWAY_SECRET_ENV: self.gateway_secret()}

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def server_url(self) -> str:
        if self.database_server_url:
            return self.database_server_url
        assert self.postgres is not None
        return self.postgres.url()

    @property
    def role_passwords(self) -> Path:
        """Where the passwords of the services' database roles are kept (0600 each)."""
        return self.state / ROLE_PASSWORDS

    def provision_databases(self) -> None:
        """Make (or check) each service's database with its owner and runtime roles."""
        self.databases = {
            spec.name: provision_database(self.server_url(), spec.database, self.role_passwords) for spec in SERVICES
        }

    def admin_database_url(self, spec: ServiceSpec) -> str:
        """A service's database as the server's administrator: for tools and tests that inspect or
        seed rows (and the bench's pgbench), never for the service itself."""
        return self.databases[spec.name].admin_url

    def events_url(self) -> str:
        if self.nats_url:
            return self.nats_url
        assert self.nats is not None
        return self.nats.url

    def start(self, progress: Progress = _quiet) -> None:
        try:
            self._start(progress)
        except BaseException:
            self.stop()
            raise

    def _port(self, name: str, preferred: int) -> int:
        """The port a helper (PostgreSQL, NATS, Envoy's admin) used before, else `preferred` if free,
        else any free one: a machine already running its own PostgreSQL on 5432 is no obstacle."""
        record = self.state / "ports" / name
        if record.exists():
            return int(record.read_text())
        port = preferred if not port_open("127.0.0.1", preferred) else free_port()
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(str(port))
        return port

    def _check_public_ports(self) -> None:
        """The gateway's and the services' ports are part of the contract: refuse clearly if taken."""
        instances = {instance for spec in SERVICES for instance in self.instances(spec)}
        wanted = {"gateway": self.gateway_port} | {i: port for i, port in self.service_ports.items() if i in instances}
        taken = [f"{name} {port}" for name, port in wanted.items() if port_open("127.0.0.1", port)]
        if taken:
            raise SystemExit(f"ports in use on 127.0.0.1: {', '.join(taken)} (is PulseOne already running?)")

    def _start(self, progress: Progress) -> None:
        self._check_public_ports()
        self.admin_port = self._port("envoy-admin", self.admin_port)
        if not self.database_server_url:
            self.postgres_port = self._port("postgres", self.postgres_port)
            progress(f"starting PostgreSQL on 127.0.0.1:{self.postgres_port}")
            self.postgres = Postgres(self.state / "postgres", port=self.postgres_port, durable=self.durable)
            self.postgres.start()
        self.provision_databases()
        if not self.nats_url:
            self.nats_port = self._port("nats", self.nats_port)
            self.nats_monitor_port = self._port("nats-monitor", self.nats_monitor_port)
            progress(f"starting NATS JetStream on 127.0.0.1:{self.nats_port}")
            self.nats = Nats(self.state / "nats", port=self.nats_port, monitor_port=self.nats_monitor_port)
            self.nats.start()
        for spec in SERVICES:
            progress(f"migrating {spec.database}")
            database = self.databases[spec.name]
            migrate(database.owner_url, spec.migrations, runtime_role=database.runtime_role)
        for made in create_keys(self.keys):
            progress(f"created {made}")
        for spec in SERVICES:
            self.start_service(spec)
            ports = ", ".join(f"127.0.0.1:{port}" for port in self.replica_ports(spec))
            progress(f"started {spec.name} on {ports}")
        for spec in SERVICES:
            self.wait_serving(spec)
        progress(f"starting Envoy on 127.0.0.1:{self.gateway_port}")
        self.envoy = Envoy(self.state / "envoy", self.gateway_config(), self.admin_port, self.gateway_env())
        self.envoy.start()
        wait_until(self.gateway_healthy, 60, "the gateway's /health")
        wait_until(self.gateway_has_keys, 30, "the gateway's first JWKS fetch")

    def service_env(self, spec: ServiceSpec, instance: str | None = None) -> dict[str, str]:
        instance = instance or spec.name
        env = {
            "PULSEONE_DATABASE_URL": self.databases[spec.name].runtime_url,
            "PULSEONE_NATS_URL": self.events_url(),
            "PULSEONE_PORT": str(self.service_ports[instance]),
            "PULSEONE_AUTH_ADDRESS": self.target("auth"),
            "PULSEONE_PROFILE_ADDRESS": self.target("profile"),
            "PULSEONE_APPOINTMENTS_ADDRESS": self.target("appointments"),
            "PULSEONE_INVENTORY_ADDRESS": self.target("inventory"),
            "PULSEONE_PRESCRIPTIONS_ADDRESS": self.target("prescriptions"),
            "PULSEONE_VIDEO_ADDRESS": self.target("video"),
            "PULSEONE_KEY_RING_FILE": str(self.key_ring),
            "PULSEONE_RECORDINGS_DIR": str(self.state / "recordings"),
            "PULSEONE_PAGE_TOKEN_KEY_FILE": str(self.page_token_key),
            GATEWAY_SECRET_ENV: self.gateway_secret(),
            "PULSEONE_LOG_LEVEL": self.log_level,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "gen" / "python"), str(ROOT / "envoy")]),
        } | ({"PULSEONE_METRICS_PORT": str(self.metrics_ports[instance])} if instance in self.metrics_ports else {})
        return env | self.extra_env

    def start_service(self, spec: ServiceSpec) -> None:
        """Start every replica of the service."""
        for instance in self.instances(spec):
            self.start_instance(spec, instance)

    def start_instance(self, spec: ServiceSpec, instance: str) -> Process:
        process = Process(
            instance,
            [sys.executable, "-m", "scripts.cli", "serve", spec.name],
            self.state / "logs" / f"{instance}.log",
            env=self.service_env(spec, instance),
        )
        process.start()
        self.services[instance] = process
        return process

    def stop_service(self, name: str) -> None:
        """Stop every replica of the service."""
        for instance in self.instances(service_spec(name)):
            self.stop_instance(instance)

    def stop_instance(self, instance: str) -> None:
        process = self.services.pop(instance, None)
        if process is not None:
            process.stop()

    def wait_serving(self, spec: ServiceSpec, timeout: float = 60) -> None:
        """Wait until every replica of the service is SERVING."""
        for instance in self.instances(spec):
            process = self.services[instance]

            def serving(process: Process = process, instance: str = instance) -> bool:
                if not process.running:
                    raise RuntimeError(f"{instance} exited:\n{process.tail()}")
                return health_status(f"127.0.0.1:{self.service_ports[instance]}", spec.grpc_service) == "SERVING"

            wait_until(serving, timeout, f"the {instance} service")

    def gateway_settings(self) -> GatewaySettings:
        from gateway.config import ApiDocs, GatewaySettings, Upstream  # noqa: PLC0415 - see the import above

        return GatewaySettings(
            descriptor_set=DESCRIPTOR_SET,
            api_docs=ApiDocs.beside(DESCRIPTOR_SET),
            upstreams=tuple(
                Upstream(s.name, tuple(("127.0.0.1", port) for port in self.replica_ports(s))) for s in SERVICES
            ),
            listen_port=self.gateway_port,
            admin_port=self.admin_port,
            auth_burst=self.gateway_auth_burst,
            jwks_cache=self.jwks_cache,
            health_interval=timedelta(seconds=1),
            # The services inherit OTEL_* from this environment; the gateway traces where they do.
            otlp_endpoint=otlp_endpoint(os.environ),
        )

    def gateway_config(self) -> str:
        from gateway.config import render  # noqa: PLC0415 - see the import above

        return render(self.gateway_settings())

    def gateway_healthy(self) -> bool:
        return httpx.get(f"{self.gateway_url}/health", timeout=2).status_code == 200

    def gateway_has_keys(self) -> bool:
        """Envoy fetched the JWKS at least once (it retries every second until auth answers)."""
        url = f"http://127.0.0.1:{self.admin_port}/stats"
        stats = httpx.get(url, params={"filter": "jwks_fetch_success"}, timeout=2)
        return any(line.rsplit(":", 1)[-1].strip() not in ("", "0") for line in stats.text.splitlines())

    def stop(self) -> None:
        if self.envoy is not None:
            self.envoy.stop()
        for instance in list(self.services):
            self.stop_instance(instance)
        if self.nats is not None:
            self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()


def health_status(address: str, service: str = "", timeout: float = 1.0) -> str:
    with grpc.insecure_channel(address) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError as error:
            return "UNREACHABLE" if error.code() == grpc.StatusCode.UNAVAILABLE else error.code().name
        name: str = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
        return name


def wait_forever() -> None:
    while True:
        time.sleep(3600)
