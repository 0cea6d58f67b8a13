"""`pulseone gateway`: Envoy configured from the environment, as the container image runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.gateway import GatewayEnvironment, gateway_settings
from scripts.platform import SERVICES
from scripts.stack import free_port, wait_until
from tests.envoy_validation import envoy_validate

PULSEONE = str(Path(sys.executable).parent / "pulseone")
# The addresses the Helm chart gives: Kubernetes Service names, one port moved from its default.
KUBERNETES_ADDRESSES = {
    f"PULSEONE_{s.name.upper()}_ADDRESS": f"{s.name}:{s.port + 1 if s.name == 'video' else s.port}" for s in SERVICES
}
SECRET = "a-gateway-secret-of-at-least-32-characters"


def _printed(env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [PULSEONE, "gateway", "--print"], env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def _endpoint(cluster: dict[str, Any]) -> str:
    address = cluster["loadAssignment"]["endpoints"][0]["lbEndpoints"][0]["endpoint"]["address"]["socketAddress"]
    return f"{address['address']}:{address['portValue']}"


@pytest.fixture(scope="module")
def printed() -> dict[str, Any]:
    return _printed({**KUBERNETES_ADDRESSES, "PULSEONE_GATEWAY_HOST": "0.0.0.0", "PULSEONE_GATEWAY_PORT": "8080"})


def test_each_service_is_reached_at_the_address_in_its_variable_resolved_by_dns(printed: dict[str, Any]) -> None:
    clusters = {c["name"]: c for c in printed["staticResources"]["clusters"]}
    for spec in SERVICES:
        assert _endpoint(clusters[spec.name]) == KUBERNETES_ADDRESSES[f"PULSEONE_{spec.name.upper()}_ADDRESS"]
        assert clusters[spec.name]["type"] == "STRICT_DNS"


def test_the_listener_is_on_the_host_and_port_in_the_environment(printed: dict[str, Any]) -> None:
    address = printed["staticResources"]["listeners"][0]["address"]["socketAddress"]
    assert (address["address"], address["portValue"]) == ("0.0.0.0", 8080)


def test_envoy_accepts_the_printed_configuration(printed: dict[str, Any], tmp_path: Path) -> None:
    config = tmp_path / "envoy.json"
    config.write_text(json.dumps(printed))
    result = envoy_validate(config)
    assert result.returncode == 0, result.stdout + result.stderr


def test_upstreams_at_ip_addresses_are_not_resolved() -> None:
    addresses = {f"PULSEONE_{s.name.upper()}_ADDRESS": f"10.0.0.{i}:{s.port}" for i, s in enumerate(SERVICES)}
    assert not gateway_settings(GatewayEnvironment(), addresses).upstream_dns
    assert gateway_settings(GatewayEnvironment(), {**addresses, "PULSEONE_AUTH_ADDRESS": "auth:8081"}).upstream_dns


def test_unset_addresses_are_the_local_stacks() -> None:
    upstreams = gateway_settings(GatewayEnvironment(), {}).upstreams
    assert [(u.name, u.addresses) for u in upstreams] == [(s.name, (("127.0.0.1", s.port),)) for s in SERVICES]


@pytest.mark.parametrize("scheme", ["ipv4:", ""])
def test_a_list_of_replicas_is_every_endpoint_of_the_cluster(scheme: str) -> None:
    target = f"{scheme}127.0.0.1:9084,127.0.0.2:9084"
    upstreams = gateway_settings(GatewayEnvironment(), {"PULSEONE_APPOINTMENTS_ADDRESS": target}).upstreams
    assert {u.name: u.addresses for u in upstreams}["appointments"] == (("127.0.0.1", 9084), ("127.0.0.2", 9084))


@pytest.mark.parametrize("target", ["auth", "ipv4:127.0.0.1:8081,127.0.0.1", "dns:///auth:port"])
def test_an_address_without_a_port_is_refused_naming_its_variable(target: str) -> None:
    with pytest.raises(SystemExit, match="PULSEONE_AUTH_ADDRESS: expected host:port"):
        gateway_settings(GatewayEnvironment(), {"PULSEONE_AUTH_ADDRESS": target})


def test_the_gateway_does_not_start_without_its_secret() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSEONE_GATEWAY_SECRET")}
    result = subprocess.run([PULSEONE, "gateway"], env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "PULSEONE_GATEWAY_SECRET" in result.stderr


def test_the_gateway_becomes_envoy_with_the_secret_from_its_file_shows_its_stats_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    secret_file = tmp_path / "gateway-secret"
    secret_file.write_text(SECRET + "\n")
    admin_port, stats_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PULSEONE_GATEWAY_SECRET"},
        "PULSEONE_GATEWAY_PORT": str(free_port()),
        "PULSEONE_GATEWAY_ADMIN_PORT": str(admin_port),
        "PULSEONE_GATEWAY_STATS_PORT": str(stats_port),
        "PULSEONE_GATEWAY_SECRET_FILE": str(secret_file),
        "TMPDIR": str(tmp_path),  # where the configuration is written
    }
    log = tmp_path / "gateway.log"
    with log.open("wb") as out:
        gateway = subprocess.Popen([PULSEONE, "gateway"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:

        def live() -> bool:
            assert gateway.poll() is None, log.read_text()
            return httpx.get(f"http://127.0.0.1:{admin_port}/ready", timeout=1).status_code == 200

        wait_until(live, 30, "pulseone gateway")
        assert Path(os.readlink(f"/proc/{gateway.pid}/exe")).name == "envoy"
        # Envoy's own metrics on the stats port, and nothing else of its admin interface.
        stats = httpx.get(f"http://127.0.0.1:{stats_port}/stats/prometheus", timeout=5)
        assert stats.status_code == 200
        assert "envoy_server_live" in stats.text
        assert httpx.post(f"http://127.0.0.1:{stats_port}/quitquitquit", timeout=5).status_code == 404
        assert f"PULSEONE_GATEWAY_SECRET={SECRET}".encode() in Path(f"/proc/{gateway.pid}/environ").read_bytes()
        gateway.send_signal(signal.SIGTERM)
        assert gateway.wait(timeout=10) == 0, log.read_text()
    finally:
        gateway.kill()
        gateway.wait()


def _tracer(config: dict[str, Any]) -> Any:
    manager = config["staticResources"]["listeners"][0]["filterChains"][0]["filters"][0]["typedConfig"]
    return manager.get("tracing")


def test_the_gateway_traces_nothing_unless_an_otlp_endpoint_is_set(printed: dict[str, Any]) -> None:
    assert _tracer(printed) is None


def test_the_gateway_sends_its_spans_where_the_services_do() -> None:
    config = _printed(
        {**KUBERNETES_ADDRESSES, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.observability:4317"}
    )
    assert _tracer(config)["provider"]["typedConfig"]["serviceName"] == "pulseone-gateway"
    [collector] = [c for c in config["staticResources"]["clusters"] if c["name"] == "otlp_collector"]
    assert _endpoint(collector) == "otel-collector.observability:4317"
    assert collector["type"] == "STRICT_DNS"
