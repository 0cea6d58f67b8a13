"""The gateway configuration: built from the descriptor set, and accepted by the real Envoy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gateway.config import GatewaySettings, Upstream, jwt_rules, render
from gateway.contract import load_methods
from scripts.platform import SERVICES

ROOT = Path(__file__).resolve().parents[3]
DESCRIPTOR_SET = ROOT / "gen" / "pulseone.pb"
SETTINGS = GatewaySettings(
    descriptor_set=DESCRIPTOR_SET, upstreams=tuple(Upstream(s.name, "127.0.0.1", s.port) for s in SERVICES)
)


def test_envoy_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    config = tmp_path / "envoy.json"
    config.write_text(render(SETTINGS))
    envoy = Path(sys.executable).parent / "envoy"
    result = subprocess.run(
        [str(envoy), "--mode", "validate", "-c", str(config), "--use-dynamic-base-id"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def _rule_paths() -> set[str]:
    rules = jwt_rules(load_methods(DESCRIPTOR_SET))
    return {r.match.path or r.match.safe_regex.regex for r in rules}  # type: ignore[union-attr]


def test_tokens_are_required_on_rest_and_grpc_paths_of_protected_methods() -> None:
    paths = _rule_paths()
    assert "/api/auth/me" in paths
    assert "/pulseone.auth.v1.AuthService/GetCurrentUser" in paths
    assert r"^/api/auth/users/[^/]+/approve$" in paths


def test_public_methods_and_health_need_no_token() -> None:
    paths = _rule_paths()
    for public in (
        "/api/auth/login",
        "/api/auth/register",
        "/.well-known/jwks.json",
        "/health",
        "/pulseone.auth.v1.AuthService/Login",
    ):
        assert public not in paths


def test_only_methods_with_a_rest_mapping_are_routed() -> None:
    config = json.loads(render(SETTINGS))
    manager = config["staticResources"]["listeners"][0]["filterChains"][0]["filters"][0]["typedConfig"]
    routes = manager["routeConfig"]["virtualHosts"][0]["routes"]
    paths = {r["match"]["path"] for r in routes if r["match"].get("path", "").startswith("/pulseone.")}
    exposed = {m.grpc_path for m in load_methods(DESCRIPTOR_SET) if m.exposed}
    assert paths == exposed
    assert not any("grpc.reflection" in p or "grpc.health" in p for p in paths)


def test_client_identity_headers_are_stripped_before_anything_else_reads_them() -> None:
    config = json.loads(render(SETTINGS))
    manager = config["staticResources"]["listeners"][0]["filterChains"][0]["filters"][0]["typedConfig"]
    names = [f["name"] for f in manager["httpFilters"]]
    assert names.index("envoy.filters.http.header_mutation") < names.index("envoy.filters.http.jwt_authn")
    assert manager["useRemoteAddress"] is True
