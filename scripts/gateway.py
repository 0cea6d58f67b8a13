"""`pulseone gateway`: Envoy configured from PULSEONE_* variables, as the container image runs the gateway."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.config import ApiDocs, GatewaySettings, Upstream, is_ip, render
from scripts.platform import DESCRIPTOR_SET, SERVICES, ServiceSpec
from scripts.stack import envoy_command
from services.common.forwarded import GATEWAY_SECRET_ENV
from services.common.tracing import otlp_endpoint

# As the services ask of the same secret (services.common.config.ServiceSettings.gateway_secret).
MIN_SECRET_LENGTH = 32


class GatewayEnvironment(BaseSettings):
    """The gateway's settings; the upstreams are read beside them (see `upstreams`)."""

    model_config = SettingsConfigDict(env_prefix="PULSEONE_", extra="ignore", frozen=True)

    gateway_host: str = Field("127.0.0.1", description="address the listener binds (0.0.0.0 in a container)")
    gateway_port: int = Field(8000, ge=1, le=65535, description="REST, gRPC and gRPC-Web")
    gateway_admin_port: int = Field(9901, ge=1, le=65535, description="Envoy's admin interface, on 127.0.0.1")
    gateway_stats_port: int | None = Field(
        None, ge=1, le=65535, description="Envoy's own metrics for Prometheus (/stats/prometheus); unset: none"
    )
    gateway_concurrency: int = Field(2, ge=1, description="Envoy's worker threads")
    gateway_secret: SecretStr | None = Field(
        None, min_length=MIN_SECRET_LENGTH, description="shown to every service on every call it forwards"
    )
    gateway_secret_file: Path | None = Field(None, description="where the secret is when it is not in the environment")
    jwt_issuer: str = "pulseone-auth"
    jwt_audience: str = "pulseone"
    log_level: str = "INFO"

    @field_validator("gateway_secret_file")
    @classmethod
    def _holds_a_secret(cls, path: Path | None) -> Path | None:
        """Checked at start as the variable is: a file that cannot be read or holds too short a secret
        stops the gateway with a message naming the variable."""
        if path is None:
            return None
        try:
            secret = path.read_text().strip()
        except OSError as error:
            raise ValueError(f"cannot read {path}: {error.strerror}") from None
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"the secret in {path} must have at least {MIN_SECRET_LENGTH} characters")
        return path

    def secret(self) -> str | None:
        """The variable, else the file (a mounted Kubernetes Secret)."""
        if self.gateway_secret is not None:
            return self.gateway_secret.get_secret_value()
        if self.gateway_secret_file is not None:
            return self.gateway_secret_file.read_text().strip()
        return None


# The name-resolution schemes of a gRPC target the services' channels also accept (see peer_channel).
TARGET_SCHEMES = ("dns:///", "ipv4:", "ipv6:")


def _upstream(spec: ServiceSpec, environ: Mapping[str, str]) -> Upstream:
    """The service's replicas from its gRPC target: `host:port`, or `ipv4:host:port,host:port,...`."""
    variable = f"PULSEONE_{spec.name.upper()}_ADDRESS"
    target = environ.get(variable, f"127.0.0.1:{spec.port}")
    listed = next((target.removeprefix(scheme) for scheme in TARGET_SCHEMES if target.startswith(scheme)), target)
    addresses = []
    for address in listed.split(","):
        host, separator, port = address.rpartition(":")
        if not (separator and host and port.isdigit()):
            raise SystemExit(f"{variable}: expected host:port or ipv4:host:port,host:port, got {target!r}")
        addresses.append((host.strip("[]"), int(port)))
    return Upstream(spec.name, tuple(addresses))


def upstreams(environ: Mapping[str, str]) -> tuple[Upstream, ...]:
    """Each service at PULSEONE_<SERVICE>_ADDRESS (host:port), the variable the services read to call
    one another; unset, on this machine at its local port."""
    return tuple(_upstream(spec, environ) for spec in SERVICES)


def gateway_settings(environment: GatewayEnvironment, environ: Mapping[str, str]) -> GatewaySettings:
    """The renderer's gateway at the addresses given. Upstreams named by DNS (Kubernetes Services) are
    resolved again and again, so Envoy follows the replicas behind a name as they come and go. Its
    spans go where the services' do: OTEL_EXPORTER_OTLP_ENDPOINT, as OpenTelemetry names it."""
    found = upstreams(environ)
    return GatewaySettings(
        descriptor_set=DESCRIPTOR_SET,
        api_docs=ApiDocs.beside(DESCRIPTOR_SET),
        upstreams=found,
        listen_host=environment.gateway_host,
        listen_port=environment.gateway_port,
        admin_port=environment.gateway_admin_port,
        stats_port=environment.gateway_stats_port,
        jwt_issuer=environment.jwt_issuer,
        jwt_audience=environment.jwt_audience,
        upstream_dns=not all(is_ip(host) for u in found for host, _ in u.addresses),
        otlp_endpoint=otlp_endpoint(environ),
    )


def configuration(environment: GatewayEnvironment, environ: Mapping[str, str]) -> str:
    return render(gateway_settings(environment, environ))


def exec_envoy(environment: GatewayEnvironment, environ: Mapping[str, str]) -> NoReturn:
    """Become Envoy (same process, so the container's SIGTERM reaches it), with the configuration in a
    temporary file and the secret in its environment, where the configuration refers to it."""
    secret = environment.secret()
    if secret is None:
        raise SystemExit(
            f"{GATEWAY_SECRET_ENV} or {GATEWAY_SECRET_ENV}_FILE must be set: the gateway shows it to the "
            "services on every call, so they believe the client address it forwards"
        )
    descriptor, path = tempfile.mkstemp(prefix="pulseone-envoy-", suffix=".json")
    with os.fdopen(descriptor, "w") as config:
        config.write(configuration(environment, environ))
    argv = envoy_command(
        Path(path), concurrency=environment.gateway_concurrency, log_level=environment.log_level.lower()
    )
    os.execve(argv[0], argv, {**environ, GATEWAY_SECRET_ENV: secret})  # noqa: S606 - argv is ours
