"""The gateway configuration: built from the descriptor set, and accepted by the real Envoy."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from gateway.config import COLLECTOR_CLUSTER, SIGNED_IN, GatewaySettings, Upstream, collector_address, render
from gateway.contract import load_methods
from scripts.platform import SERVICES
from services.common.forwarded import GATEWAY_HEADER, GATEWAY_SECRET_ENV
from services.common.runtime import MAX_METADATA_BYTES, MAX_RECEIVE_MESSAGE_BYTES
from tests.envoy_validation import envoy_validate

ROOT = Path(__file__).resolve().parents[3]
DESCRIPTOR_SET = ROOT / "gen" / "pulseone.pb"
# The methods of the services the platform runs; the descriptor set may already hold contracts of
# services still to come, which get no routes until they run.
METHODS = [m for m in load_methods(DESCRIPTOR_SET) if m.cluster in {s.name for s in SERVICES}]
SETTINGS = GatewaySettings(
    descriptor_set=DESCRIPTOR_SET, upstreams=tuple(Upstream.at(s.name, "127.0.0.1", s.port) for s in SERVICES)
)


def test_envoy_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    config = tmp_path / "envoy.json"
    config.write_text(render(SETTINGS))
    result = envoy_validate(config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


@functools.cache
def _manager() -> dict[str, Any]:
    config = json.loads(render(SETTINGS))
    manager: dict[str, Any] = config["staticResources"]["listeners"][0]["filterChains"][0]["filters"][0]["typedConfig"]
    return manager


def _routes() -> list[dict[str, Any]]:
    routes: list[dict[str, Any]] = _manager()["routeConfig"]["virtualHosts"][0]["routes"]
    return routes


def _token_rule(path: str) -> dict[str, Any]:
    route = next(r for r in _routes() if r["match"].get("path") == path)
    rule: dict[str, Any] = route["typedPerFilterConfig"]["envoy.filters.http.jwt_authn"]
    return rule


def _forwarding() -> list[dict[str, Any]]:
    return [r for r in _routes() if "route" in r]


def test_every_route_that_forwards_says_whether_it_needs_a_token() -> None:
    for route in _forwarding():
        rule = route["typedPerFilterConfig"]["envoy.filters.http.jwt_authn"]
        assert rule.get("requirementName") == SIGNED_IN or rule.get("disabled") is True, route["match"]


def test_tokens_are_required_on_the_routes_of_protected_methods() -> None:
    for method in METHODS:
        if method.exposed and not method.public:
            assert _token_rule(method.grpc_path) == {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig",
                "requirementName": SIGNED_IN,
            }
    jwt_authn = next(f for f in _manager()["httpFilters"] if f["name"] == "envoy.filters.http.jwt_authn")
    assert jwt_authn["typedConfig"]["requirementMap"][SIGNED_IN] == {"providerName": "pulseone"}


def test_public_methods_and_health_need_no_token() -> None:
    for public in (
        "/pulseone.auth.v1.AuthService/Login",
        "/pulseone.auth.v1.AuthService/Register",
        "/pulseone.auth.v1.AuthService/GetJwks",
    ):
        assert _token_rule(public)["disabled"] is True
    assert not any(r["match"].get("path") == "/health" for r in _routes())


def test_only_the_grpc_routes_of_public_methods_waive_the_token() -> None:
    public = {m.grpc_path for m in METHODS if m.exposed and m.public}
    for route in _forwarding():
        waived = route["typedPerFilterConfig"]["envoy.filters.http.jwt_authn"].get("disabled") is True
        assert waived == (route["match"].get("path") in public), route["match"]


def test_tokens_are_checked_on_the_path_the_transcoder_rewrote() -> None:
    names = [f["name"] for f in _manager()["httpFilters"]]
    assert names.index("envoy.filters.http.grpc_json_transcoder") < names.index("envoy.filters.http.jwt_authn")
    assert names.index("envoy.filters.http.jwt_authn") < names.index("envoy.filters.http.router")


def test_paths_are_normalised_before_any_filter_reads_them() -> None:
    manager = _manager()
    assert manager["normalizePath"] is True
    assert manager["mergeSlashes"] is True
    assert manager["pathWithEscapedSlashesAction"] == "REJECT_REQUEST"


def test_only_methods_with_a_rest_mapping_are_routed() -> None:
    routes = _routes()
    paths = {r["match"]["path"] for r in routes if r["match"].get("path", "").startswith("/pulseone.")}
    exposed = {m.grpc_path for m in METHODS if m.exposed}
    assert paths == exposed
    assert not any("grpc.reflection" in p or "grpc.health" in p for p in paths)


def test_client_identity_headers_are_stripped_before_anything_else_reads_them() -> None:
    manager = _manager()
    names = [f["name"] for f in manager["httpFilters"]]
    assert names.index("envoy.filters.http.header_mutation") < names.index("envoy.filters.http.jwt_authn")
    assert manager["useRemoteAddress"] is True


def test_every_rest_path_has_a_route_for_any_verb_so_browsers_can_preflight_it() -> None:
    patterns = [re.compile(r["match"]["safeRegex"]["regex"]) for r in _forwarding() if "safeRegex" in r["match"]]
    assert not any("headers" in r["match"] for r in _forwarding())
    for method in METHODS:
        for binding in method.bindings:
            path = re.sub(r"\{[^}]+\}", "0b7c2a4e-5f0e-4d8e-9a7e-1c2b3d4e5f60", binding.template)
            assert any(p.match(path) for p in patterns), binding
            assert any(p.match(path + "/") for p in patterns), binding


def test_grpc_content_on_a_rest_path_is_answered_by_the_gateway_itself() -> None:
    refusals = [r for r in _routes() if "directResponse" in r]
    assert {r["directResponse"]["status"] for r in refusals} == {415}
    assert len(refusals) == len({b.regex() for m in METHODS for b in m.bindings})
    for route in refusals:
        assert route["match"]["headers"] == [
            {"name": "content-type", "stringMatch": {"prefix": "application/grpc", "ignoreCase": True}}
        ]
        assert set(route["typedPerFilterConfig"]) == {
            "envoy.filters.http.grpc_web",
            "envoy.filters.http.grpc_json_transcoder",
        }


def test_the_gateway_refuses_large_bodies_before_a_service_would() -> None:
    assert SETTINGS.max_request_bytes < MAX_RECEIVE_MESSAGE_BYTES
    buffer = next(f for f in _manager()["httpFilters"] if f["name"] == "envoy.filters.http.buffer")
    assert buffer["typedConfig"]["maxRequestBytes"] == SETTINGS.max_request_bytes
    names = [f["name"] for f in _manager()["httpFilters"]]
    assert names.index("envoy.filters.http.buffer") < names.index("envoy.filters.http.grpc_json_transcoder")


def test_the_gateway_refuses_large_request_heads_before_a_service_would() -> None:
    assert _manager()["maxRequestHeadersKb"] == SETTINGS.max_request_headers_kb
    # A service gets the URL twice (the transcoder keeps it in x-envoy-original-path), gRPC counts 32
    # bytes more per entry (Envoy takes at most 100), and the gateway adds a few headers of its own.
    received = 2 * SETTINGS.max_request_headers_kb * 1024 + 100 * 32 + 4096
    assert received <= MAX_METADATA_BYTES


def test_every_forwarded_call_carries_the_gateway_secret_from_envoys_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(GATEWAY_SECRET_ENV, "a-secret-that-must-not-be-rendered-0123456789")
    rendered = render(SETTINGS)
    assert "a-secret-that-must-not-be-rendered" not in rendered
    added = _manager()["routeConfig"]["requestHeadersToAdd"]
    assert added == [
        {
            "header": {"key": GATEWAY_HEADER, "value": f"%ENVIRONMENT({GATEWAY_SECRET_ENV})%"},
            "appendAction": "OVERWRITE_IF_EXISTS_OR_ADD",
        }
    ]
    mutation = next(f for f in _manager()["httpFilters"] if f["name"] == "envoy.filters.http.header_mutation")
    assert {"remove": GATEWAY_HEADER} in mutation["typedConfig"]["mutations"]["requestMutations"]


def test_envoy_remembers_verified_tokens_and_still_checks_their_expiry() -> None:
    jwt_authn = next(f for f in _manager()["httpFilters"] if f["name"] == "envoy.filters.http.jwt_authn")
    provider = jwt_authn["typedConfig"]["providers"]["pulseone"]
    assert provider["jwtCacheConfig"] == {"jwtCacheSize": 10_000}


COLLECTOR = "http://127.0.0.1:4317"


def _without_tracing(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration less the tracer and the collector's cluster."""
    manager = config["staticResources"]["listeners"][0]["filterChains"][0]["filters"][0]["typedConfig"]
    manager.pop("tracing")
    clusters = config["staticResources"]["clusters"]
    config["staticResources"]["clusters"] = [c for c in clusters if c["name"] != COLLECTOR_CLUSTER]
    return config


def test_without_a_collector_the_configuration_has_no_tracing_at_all() -> None:
    """Off by default: the configuration is the one without tracing, byte for byte."""
    traced = json.loads(render(dataclasses.replace(SETTINGS, otlp_endpoint=COLLECTOR)))
    assert "tracing" not in _manager()
    assert COLLECTOR_CLUSTER not in {c["name"] for c in json.loads(render(SETTINGS))["staticResources"]["clusters"]}
    assert _without_tracing(traced) == json.loads(render(SETTINGS))


def test_with_a_collector_every_request_is_a_gateway_span_sent_to_it() -> None:
    config = json.loads(render(dataclasses.replace(SETTINGS, otlp_endpoint=COLLECTOR)))
    tracing = config["staticResources"]["listeners"][0]["filterChains"][0]["filters"][0]["typedConfig"]["tracing"]
    assert tracing["provider"]["name"] == "envoy.tracers.opentelemetry"
    tracer = tracing["provider"]["typedConfig"]
    assert tracer["serviceName"] == "pulseone-gateway"
    assert tracer["grpcService"]["envoyGrpc"]["clusterName"] == COLLECTOR_CLUSTER
    assert tracing["randomSampling"] == {"value": 100.0}
    [collector] = [c for c in config["staticResources"]["clusters"] if c["name"] == COLLECTOR_CLUSTER]
    address = collector["loadAssignment"]["endpoints"][0]["lbEndpoints"][0]["endpoint"]["address"]["socketAddress"]
    assert (address["address"], address["portValue"], collector["type"]) == ("127.0.0.1", 4317, "STATIC")
    assert "http2ProtocolOptions" in json.dumps(collector)  # OTLP/gRPC


def test_envoy_accepts_the_configuration_with_a_collector(tmp_path: Path) -> None:
    config = tmp_path / "envoy.json"
    config.write_text(render(dataclasses.replace(SETTINGS, otlp_endpoint="http://otel-collector.observability:4317")))
    result = envoy_validate(config)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("endpoint", "address"),
    [
        ("http://otel-collector:4317", ("otel-collector", 4317)),
        ("http://10.0.0.7", ("10.0.0.7", 4317)),
        ("collector.observability:14317", ("collector.observability", 14317)),
    ],
)
def test_the_collector_is_reached_at_the_endpoints_host_and_port(endpoint: str, address: tuple[str, int]) -> None:
    assert collector_address(endpoint) == address


@pytest.mark.parametrize("endpoint", ["https://collector:4317", "http://", "grpc://collector:4317"])
def test_an_endpoint_the_gateway_cannot_reach_in_plaintext_grpc_is_refused(endpoint: str) -> None:
    with pytest.raises(ValueError, match="plaintext OTLP/gRPC"):
        collector_address(endpoint)
