"""The Envoy configuration of the gateway, built from typed Envoy API objects and the descriptor set."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from envoy_data_plane.envoy.config.bootstrap.v3 import Admin, Bootstrap, BootstrapStaticResources
from envoy_data_plane.envoy.config.cluster.v3 import Cluster, ClusterDiscoveryType, ClusterLbPolicy
from envoy_data_plane.envoy.config.common.mutation_rules.v3 import HeaderMutation as HeaderMutationRule
from envoy_data_plane.envoy.config.core.v3 import (
    Address,
    DataSource,
    GrpcService,
    GrpcServiceEnvoyGrpc,
    HeaderValueOption,
    HealthCheck,
    HealthCheckGrpcHealthCheck,
    Http2ProtocolOptions,
    HttpUri,
    RuntimeFractionalPercent,
    SocketAddress,
)
from envoy_data_plane.envoy.config.endpoint.v3 import ClusterLoadAssignment, Endpoint, LbEndpoint, LocalityLbEndpoints
from envoy_data_plane.envoy.config.listener.v3 import Filter, FilterChain, Listener
from envoy_data_plane.envoy.config.route.v3 import (
    DirectResponseAction,
    FilterConfig,
    HeaderMatcher,
    RateLimit,
    RateLimitAction,
    RateLimitActionRemoteAddress,
    Route,
    RouteAction,
    RouteConfiguration,
    RouteMatch,
    VirtualHost,
)
from envoy_data_plane.envoy.config.trace.v3 import OpenTelemetryConfig, TracingHttp
from envoy_data_plane.envoy.extensions.common.ratelimit.v3 import LocalRateLimitDescriptor, RateLimitDescriptorEntry
from envoy_data_plane.envoy.extensions.filters.http.buffer.v3 import Buffer
from envoy_data_plane.envoy.extensions.filters.http.cors.v3 import Cors, CorsPolicy
from envoy_data_plane.envoy.extensions.filters.http.grpc_json_transcoder.v3 import (
    GrpcJsonTranscoder,
    GrpcJsonTranscoderPrintOptions,
    GrpcJsonTranscoderRequestValidationOptions,
)
from envoy_data_plane.envoy.extensions.filters.http.grpc_web.v3 import GrpcWeb
from envoy_data_plane.envoy.extensions.filters.http.header_mutation.v3 import HeaderMutation, Mutations
from envoy_data_plane.envoy.extensions.filters.http.health_check.v3 import HealthCheck as HealthCheckFilter
from envoy_data_plane.envoy.extensions.filters.http.jwt_authn.v3 import (
    JwksAsyncFetch,
    JwtAuthentication,
    JwtCacheConfig,
    JwtProvider,
    JwtRequirement,
    PerRouteConfig,
    RemoteJwks,
)
from envoy_data_plane.envoy.extensions.filters.http.local_ratelimit.v3 import LocalRateLimit
from envoy_data_plane.envoy.extensions.filters.http.lua.v3 import Lua
from envoy_data_plane.envoy.extensions.filters.http.router.v3 import Router
from envoy_data_plane.envoy.extensions.filters.network.http_connection_manager.v3 import (
    HttpConnectionManager,
    HttpConnectionManagerPathWithEscapedSlashesAction,
    HttpConnectionManagerTracing,
    HttpFilter,
)
from envoy_data_plane.envoy.extensions.upstreams.http.v3 import (
    HttpProtocolOptions,
    HttpProtocolOptionsExplicitHttpConfig,
)
from envoy_data_plane.envoy.type.matcher.v3 import RegexMatcher, StringMatcher
from envoy_data_plane.envoy.type.v3 import FractionalPercent, FractionalPercentDenominatorType, Percent, TokenBucket
from envoy_data_plane.google.protobuf import Any as AnyMessage

from gateway.contract import Binding, Method, load_methods
from gateway.replies import CLIENT_CONTENT_TYPE, local_replies, overwrite_header
from services.common.forwarded import GATEWAY_HEADER, GATEWAY_SECRET_ENV

JWT_PROVIDER = "pulseone"
# The name under which jwt_authn knows "a valid token from the provider"; routes ask for it by name.
SIGNED_IN = "signed_in"
JWKS_PATH = "/.well-known/jwks.json"
HEALTH_PATH = "/health"
API_DOCUMENT_PATH = "/openapi.json"
MAX_DIRECT_RESPONSE_BYTES = 4 * 1024 * 1024
DOCS_PATH = "/docs"
# What the gateway serves as files, and their content types (see replies.local_replies).
DOCS_CONTENT_TYPES = {API_DOCUMENT_PATH: "application/json", DOCS_PATH: "text/html; charset=utf-8"}
SELF_CLUSTER = "gateway_self"
ADMIN_CLUSTER = "envoy_admin"
STATS_PATH = "/stats/prometheus"
COLLECTOR_CLUSTER = "otlp_collector"
# The gateway's name in traces, beside the services' `pulseone-<service>`.
TRACING_SERVICE_NAME = "pulseone-gateway"
OTLP_GRPC_PORT = 4317
# Identity headers a client might try to smuggle; services never read them, and the gateway drops them.
IDENTITY_HEADERS = (
    "x-jwt-payload",
    "x-user-id",
    "x-user-role",
    "x-user-email",
    "x-pulseone-user-id",
    "x-pulseone-role",
    "x-auth-user",
    "x-forwarded-user",
    "x-envoy-external-address",
    GATEWAY_HEADER,
)
# HTTP allows header names that gRPC metadata does not (gRPC keys are [0-9a-z_.-]): a service's gRPC
# server fails the whole call on one of them (INTERNAL, "Illegal header key"). The gateway drops such
# headers, as it ignores any header the API does not read; pseudo-headers (":path") stay.
DROP_NON_GRPC_HEADERS = """
function envoy_on_request(handle)
  local headers = handle:headers()
  local illegal = {}
  for name, _ in pairs(headers) do
    if string.sub(name, 1, 1) ~= ":" and string.find(name, "[^0-9a-z_.%-]") then
      illegal[#illegal + 1] = name
    end
  end
  for _, name in ipairs(illegal) do
    headers:remove(name)
  end
end
"""
# Methods limited per client address at the gateway (register and login).
RATE_LIMITED = ("/pulseone.auth.v1.AuthService/Register", "/pulseone.auth.v1.AuthService/Login")


@dataclass(frozen=True)
class Upstream:
    """Where one service's replicas are reached: a DNS name that resolves to every one of them (see
    `GatewaySettings.upstream_dns`), or the address of each."""

    name: str
    addresses: tuple[tuple[str, int], ...]

    @classmethod
    def at(cls, name: str, host: str, port: int) -> Upstream:
        return cls(name, ((host, port),))


@dataclass(frozen=True)
class GatewaySettings:
    descriptor_set: Path
    upstreams: tuple[Upstream, ...]
    listen_host: str = "127.0.0.1"
    listen_port: int = 8000
    admin_port: int = 9901
    jwt_issuer: str = "pulseone-auth"
    jwt_audience: str = "pulseone"
    jwks_cache: timedelta = timedelta(minutes=5)
    # Verified tokens each Envoy worker remembers, so a client's next call skips the signature check
    # (its expiry is still checked on every call). A client keeps one token for its 15 minutes.
    jwt_cache_size: int = 10_000
    # How far past its expiry (or before its start) a token is still taken, for clocks that differ.
    clock_skew_seconds: int = 60
    # Per client address: a burst of `auth_burst`, refilled by `auth_burst` every `auth_refill`.
    auth_burst: int = 20
    auth_refill: timedelta = timedelta(minutes=1)
    health_interval: timedelta = timedelta(seconds=2)
    upstream_dns: bool = False
    # Browser origins allowed to call the API (gRPC-Web and REST); "*" allows any. Tokens travel in
    # the Authorization header, never in cookies, so credentials are not allowed cross-origin.
    cors_origins: tuple[str, ...] = ("*",)
    # The largest request body the gateway accepts (REST JSON, gRPC and gRPC-Web alike); larger ones
    # are refused with 413 before any service sees them. Below the services' own receive limit
    # (services.common.runtime.MAX_RECEIVE_MESSAGE_BYTES), so the gateway always refuses first.
    max_request_bytes: int = 1024 * 1024
    # The largest request head (URL and headers) the gateway accepts; larger ones are 431 over
    # HTTP/1.1 (over HTTP/2 Envoy's codec resets the stream instead). The transcoder copies the URL
    # into x-envoy-original-path, so a service may receive twice this in metadata: its limit
    # (services.common.runtime.MAX_METADATA_BYTES) leaves room for that.
    max_request_headers_kb: int = 16
    # Where Prometheus scrapes Envoy's own metrics (`/stats/prometheus`); None: no such listener.
    stats_port: int | None = None
    # The OTLP/gRPC collector the gateway sends its spans to (`http://host:4317`, as the services'
    # OTEL_EXPORTER_OTLP_ENDPOINT); None: no tracing, and the configuration has nothing of it.
    otlp_endpoint: str | None = None
    # The REST API's OpenAPI document and its docs page (gen/openapi.json, gen/openapi.html), which
    # the gateway serves itself at /openapi.json and /docs to anyone; None: not served.
    api_docs: ApiDocs | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiDocs:
    document: Path
    page: Path

    @classmethod
    def beside(cls, descriptor_set: Path) -> ApiDocs:
        """The document and page `make gen` writes next to the descriptor set they come from."""
        return cls(descriptor_set.parent / "openapi.json", descriptor_set.parent / "openapi.html")


def gateway_proof() -> HeaderValueOption:
    """The shared secret on every forwarded call, so services believe its X-Forwarded-For (DESIGN 7).
    Envoy reads it from its environment when it starts: the rendered configuration never holds it."""
    return overwrite_header(GATEWAY_HEADER, f"%ENVIRONMENT({GATEWAY_SECRET_ENV})%")


def _address(host: str, port: int) -> Address:
    return Address(socket_address=SocketAddress(address=host, port_value=port))


def _typed(name: str, message: Any) -> HttpFilter:
    return HttpFilter(name=name, typed_config=AnyMessage.pack(message))


def _percent_100(key: str) -> RuntimeFractionalPercent:
    return RuntimeFractionalPercent(
        default_value=FractionalPercent(numerator=100, denominator=FractionalPercentDenominatorType.HUNDRED),
        runtime_key=key,
    )


def jwt_per_route(method: Method) -> PerRouteConfig:
    """What jwt_authn asks of a call routed to `method`: nothing if it is public, else a valid token.

    The requirement belongs to the route that forwards, not to a parallel list of paths that could
    disagree with the transcoder about which spellings of a REST path name the method."""
    return PerRouteConfig(disabled=True) if method.public else PerRouteConfig(requirement_name=SIGNED_IN)


def _jwt_filter(settings: GatewaySettings) -> HttpFilter:
    provider = JwtProvider(
        issuer=settings.jwt_issuer,
        audiences=[settings.jwt_audience],
        remote_jwks=RemoteJwks(
            http_uri=HttpUri(
                uri=f"http://{settings.listen_host}:{settings.listen_port}{JWKS_PATH}",
                cluster=SELF_CLUSTER,
                timeout=timedelta(seconds=5),
            ),
            cache_duration=settings.jwks_cache,
            # Fetched by the main thread and shared by every worker, so no worker meets its first
            # token during an auth outage with an empty cache. The listener serves its own JWKS, so
            # it must not wait for that fetch (fast_listener); a failed fetch is retried every second.
            async_fetch=JwksAsyncFetch(fast_listener=True, failed_refetch_duration=timedelta(seconds=1)),
        ),
        # Services verify the token again (defence in depth), so it is forwarded.
        forward=True,
        jwt_cache_config=JwtCacheConfig(jwt_cache_size=settings.jwt_cache_size),
        clock_skew_seconds=settings.clock_skew_seconds,
    )
    return _typed(
        "envoy.filters.http.jwt_authn",
        JwtAuthentication(
            providers={JWT_PROVIDER: provider}, requirement_map={SIGNED_IN: JwtRequirement(provider_name=JWT_PROVIDER)}
        ),
    )


def _rate_limit(settings: GatewaySettings) -> LocalRateLimit:
    """A token bucket per client address (a wildcard descriptor on `remote_address`, which with
    `use_remote_address` is the peer Envoy saw, never a header the client set)."""
    per_address = TokenBucket(
        max_tokens=settings.auth_burst, tokens_per_fill=settings.auth_burst, fill_interval=settings.auth_refill
    )
    return LocalRateLimit(
        stat_prefix="auth_rate_limit",
        # The route-wide bucket only backstops a flood from many addresses at once.
        token_bucket=TokenBucket(
            max_tokens=settings.auth_burst * 50,
            tokens_per_fill=settings.auth_burst * 50,
            fill_interval=settings.auth_refill,
        ),
        descriptors=[
            LocalRateLimitDescriptor(entries=[RateLimitDescriptorEntry(key="remote_address")], token_bucket=per_address)
        ],
        rate_limits=[RateLimit(actions=[RateLimitAction(remote_address=RateLimitActionRemoteAddress())])],
        max_dynamic_descriptors=10_000,
        filter_enabled=_percent_100("auth_rate_limit_enabled"),
        filter_enforced=_percent_100("auth_rate_limit_enforced"),
        rate_limited_as_resource_exhausted=True,
        local_rate_limit_per_downstream_connection=False,
    )


def _action(method: Method) -> RouteAction:
    return RouteAction(
        cluster=method.cluster,
        timeout=timedelta(0) if method.server_streaming else timedelta(seconds=30),
    )


def _method_route(settings: GatewaySettings, method: Method) -> Route:
    """A method's exact gRPC path, which REST calls take too once the transcoder rewrote them."""
    per_filter = {"envoy.filters.http.jwt_authn": AnyMessage.pack(jwt_per_route(method))}
    if method.grpc_path in RATE_LIMITED:
        per_filter["envoy.filters.http.local_ratelimit"] = AnyMessage.pack(_rate_limit(settings))
    return Route(match=RouteMatch(path=method.grpc_path), route=_action(method), typed_per_filter_config=per_filter)


def _path_route(method: Method, binding: Binding) -> Route:
    """A REST path's own route, for every verb: the filters before the transcoder need one (CORS
    answers a browser's preflight from it). The router meets it only with a call the transcoder did
    not translate, so it asks for a token whatever the method: nothing passes the edge unverified
    by missing the transcoder."""
    signed_in = PerRouteConfig(requirement_name=SIGNED_IN)
    return Route(
        match=RouteMatch(safe_regex=RegexMatcher(regex=binding.regex())),
        route=_action(method),
        typed_per_filter_config={"envoy.filters.http.jwt_authn": AnyMessage.pack(signed_in)},
    )


def _grpc_on_path_route(binding: Binding) -> Route:
    """gRPC or gRPC-Web content sent to a REST path is a client's mistake, answered as one (415,
    INVALID_ARGUMENT) instead of being forwarded to a service that has no such method. Neither the
    gRPC-Web filter nor the transcoder runs for it, so the reply keeps its JSON body."""
    grpc_content = HeaderMatcher(
        name="content-type", string_match=StringMatcher(prefix="application/grpc", ignore_case=True)
    )
    skipped = AnyMessage.pack(FilterConfig(disabled=True))
    message = "a REST path takes JSON; gRPC and gRPC-Web calls go to the method's gRPC path"
    return Route(
        match=RouteMatch(safe_regex=RegexMatcher(regex=binding.regex()), headers=[grpc_content]),
        direct_response=DirectResponseAction(status=415, body=DataSource(inline_string=message)),
        typed_per_filter_config={
            "envoy.filters.http.grpc_web": skipped,
            "envoy.filters.http.grpc_json_transcoder": skipped,
        },
    )


def _docs_routes(docs: ApiDocs) -> list[Route]:
    """The OpenAPI document and the docs page, answered by the gateway from the files, to GET and
    HEAD, without a token; no filter that expects an API call (gRPC-Web, the transcoder) runs."""
    skipped = AnyMessage.pack(FilterConfig(disabled=True))
    per_filter = {
        "envoy.filters.http.grpc_web": skipped,
        "envoy.filters.http.grpc_json_transcoder": skipped,
        "envoy.filters.http.jwt_authn": AnyMessage.pack(PerRouteConfig(disabled=True)),
    }
    reading = HeaderMatcher(name=":method", string_match=StringMatcher(safe_regex=RegexMatcher(regex="^(GET|HEAD)$")))
    served = ((API_DOCUMENT_PATH, docs.document), (DOCS_PATH, docs.page))
    return [
        Route(
            match=RouteMatch(path=path, headers=[reading]),
            direct_response=DirectResponseAction(status=200, body=DataSource(filename=str(file.resolve()))),
            typed_per_filter_config=per_filter,
        )
        for path, file in served
    ]


def routes(settings: GatewaySettings, methods: list[Method]) -> list[Route]:
    """One exact route per exposed method on its gRPC path, and per REST path (bindings of one path
    with different verbs share them) one that refuses gRPC content and one for everything else.
    Every route that forwards carries its token requirement. Internal methods and reflection get
    none."""
    exposed = [m for m in methods if m.exposed]
    paths: dict[str, tuple[Method, Binding]] = {}
    for method in exposed:
        for binding in method.bindings:
            paths.setdefault(binding.regex(), (method, binding))
    return [
        *(_docs_routes(settings.api_docs) if settings.api_docs is not None else []),
        *(_method_route(settings, m) for m in exposed),
        *(_grpc_on_path_route(b) for _, b in paths.values()),
        *(_path_route(m, b) for m, b in paths.values()),
    ]


def _cluster(upstream: Upstream, service_name: str, settings: GatewaySettings) -> Cluster:
    return Cluster(
        name=upstream.name,
        type=ClusterDiscoveryType.STRICT_DNS if settings.upstream_dns else ClusterDiscoveryType.STATIC,
        connect_timeout=timedelta(seconds=1),
        lb_policy=ClusterLbPolicy.ROUND_ROBIN,
        typed_extension_protocol_options={
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": AnyMessage.pack(
                HttpProtocolOptions(
                    explicit_http_config=HttpProtocolOptionsExplicitHttpConfig(
                        http2_protocol_options=Http2ProtocolOptions()
                    )
                )
            )
        },
        health_checks=[
            HealthCheck(
                timeout=timedelta(seconds=1),
                interval=settings.health_interval,
                no_traffic_interval=settings.health_interval,
                unhealthy_threshold=2,
                healthy_threshold=1,
                grpc_health_check=HealthCheckGrpcHealthCheck(service_name=service_name),
            )
        ],
        load_assignment=ClusterLoadAssignment(
            cluster_name=upstream.name,
            endpoints=[
                LocalityLbEndpoints(
                    lb_endpoints=[
                        LbEndpoint(endpoint=Endpoint(address=_address(host, port))) for host, port in upstream.addresses
                    ]
                )
            ],
        ),
    )


def _local_cluster(name: str, host: str, port: int) -> Cluster:
    return Cluster(
        name=name,
        type=ClusterDiscoveryType.STATIC,
        connect_timeout=timedelta(seconds=1),
        load_assignment=ClusterLoadAssignment(
            cluster_name=name,
            endpoints=[LocalityLbEndpoints(lb_endpoints=[LbEndpoint(endpoint=Endpoint(address=_address(host, port)))])],
        ),
    )


def _self_cluster(settings: GatewaySettings) -> Cluster:
    """The gateway's own listener, from which jwt_authn fetches the transcoded JWKS."""
    return _local_cluster(SELF_CLUSTER, settings.listen_host, settings.listen_port)


def _stats_listener(settings: GatewaySettings, port: int) -> Listener:
    """Envoy's own metrics for Prometheus on a port of their own: `/stats/prometheus` of the admin
    interface and nothing else of it (the admin interface can change Envoy's state, so it stays
    on 127.0.0.1)."""
    manager = HttpConnectionManager(
        stat_prefix="stats",
        route_config=RouteConfiguration(
            name="stats",
            virtual_hosts=[
                VirtualHost(
                    name="stats",
                    domains=["*"],
                    routes=[Route(match=RouteMatch(path=STATS_PATH), route=RouteAction(cluster=ADMIN_CLUSTER))],
                )
            ],
        ),
        http_filters=[_typed("envoy.filters.http.router", Router())],
    )
    return Listener(
        name="stats",
        address=_address(settings.listen_host, port),
        filter_chains=[
            FilterChain(
                filters=[
                    Filter(name="envoy.filters.network.http_connection_manager", typed_config=AnyMessage.pack(manager))
                ]
            )
        ],
    )


def collector_address(endpoint: str) -> tuple[str, int]:
    """Host and port of an OTLP/gRPC endpoint: `http://host:port` (the port 4317 unless given) or
    `host:port`. The gateway speaks plaintext gRPC to it (a collector beside it in the cluster)."""
    parsed = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    if parsed.scheme != "http" or not parsed.hostname:
        raise ValueError(
            f"the gateway sends traces over plaintext OTLP/gRPC: expected http://host:port, got {endpoint!r}"
        )
    return parsed.hostname, parsed.port or OTLP_GRPC_PORT


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _collector_cluster(endpoint: str) -> Cluster:
    """The collector, over HTTP/2 (OTLP/gRPC); followed by DNS when it is named, not numbered."""
    host, port = collector_address(endpoint)
    cluster = _local_cluster(COLLECTOR_CLUSTER, host, port)
    cluster.type = ClusterDiscoveryType.STATIC if is_ip(host) else ClusterDiscoveryType.STRICT_DNS
    cluster.typed_extension_protocol_options = {
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": AnyMessage.pack(
            HttpProtocolOptions(
                explicit_http_config=HttpProtocolOptionsExplicitHttpConfig(
                    http2_protocol_options=Http2ProtocolOptions()
                )
            )
        )
    }
    return cluster


def _tracing(settings: GatewaySettings) -> HttpConnectionManagerTracing | None:
    """Every request a span of the gateway's (the root of its trace, unless the client sent a
    `traceparent` of its own), sent to the collector; the `traceparent` Envoy then sends upstream
    makes the services' spans its children. None without a collector."""
    if settings.otlp_endpoint is None:
        return None
    tracer = OpenTelemetryConfig(
        grpc_service=GrpcService(
            envoy_grpc=GrpcServiceEnvoyGrpc(cluster_name=COLLECTOR_CLUSTER), timeout=timedelta(seconds=1)
        ),
        service_name=TRACING_SERVICE_NAME,
    )
    return HttpConnectionManagerTracing(
        provider=TracingHttp(name="envoy.tracers.opentelemetry", typed_config=AnyMessage.pack(tracer)),
        # Every request starts a sampled trace; the services follow the gateway's decision.
        random_sampling=Percent(value=100.0),
    )


def _cors(settings: GatewaySettings) -> CorsPolicy:
    origins = [
        StringMatcher(safe_regex=RegexMatcher(regex=".*")) if origin == "*" else StringMatcher(exact=origin)
        for origin in settings.cors_origins
    ]
    return CorsPolicy(
        allow_origin_string_match=origins,
        allow_methods="GET, PUT, POST, DELETE, PATCH, OPTIONS",
        allow_headers="authorization, content-type, x-grpc-web, x-user-agent, grpc-timeout, x-request-id",
        expose_headers="grpc-status, grpc-message, grpc-status-details-bin, x-request-id",
        max_age="600",
    )


def bootstrap(settings: GatewaySettings) -> Bootstrap:
    methods = load_methods(settings.descriptor_set)
    served = {u.name for u in settings.upstreams}
    methods = [m for m in methods if m.cluster in served]
    services = sorted({m.service for m in methods if m.exposed})
    service_of = {m.cluster: m.service for m in methods}
    http_filters = [
        # First, so browsers' preflight requests are answered before anything asks for a token.
        _typed("envoy.filters.http.cors", Cors()),
        _typed(
            "envoy.filters.http.health_check",
            HealthCheckFilter(
                pass_through_mode=False,
                headers=[HeaderMatcher(name=":path", string_match=StringMatcher(exact=HEALTH_PATH))],
                cluster_min_healthy_percentages={u.name: Percent(value=100.0) for u in settings.upstreams},
            ),
        ),
        _typed(
            "envoy.filters.http.header_mutation",
            HeaderMutation(
                mutations=Mutations(
                    request_mutations=[
                        *(HeaderMutationRule(remove=h) for h in IDENTITY_HEADERS),
                        HeaderMutationRule(append=overwrite_header(CLIENT_CONTENT_TYPE, "%REQ(content-type)%")),
                    ]
                )
            ),
        ),
        _typed("envoy.filters.http.lua", Lua(default_source_code=DataSource(inline_string=DROP_NON_GRPC_HEADERS))),
        _typed("envoy.filters.http.grpc_web", GrpcWeb()),
        # Whole bodies up to the limit, so an oversized one is refused (413) before anything forwards
        # it. After the gRPC-Web filter, which decodes gRPC-Web-text and words the reply for its callers.
        _typed("envoy.filters.http.buffer", Buffer(max_request_bytes=settings.max_request_bytes)),
        _typed(
            "envoy.filters.http.grpc_json_transcoder",
            GrpcJsonTranscoder(
                proto_descriptor=str(settings.descriptor_set.resolve()),
                services=services,
                print_options=GrpcJsonTranscoderPrintOptions(
                    add_whitespace=False, always_print_primitive_fields=True, preserve_proto_field_names=False
                ),
                convert_grpc_status=True,
                # Form-encoded query strings (?reason=feeling+better) mean a space by "+".
                query_param_unescape_plus=True,
                max_request_body_size=settings.max_request_bytes,
                request_validation_options=GrpcJsonTranscoderRequestValidationOptions(
                    reject_unknown_method=True, reject_unknown_query_parameters=True
                ),
            ),
        ),
        # After the transcoder, so REST and gRPC calls meet the same route, the same token requirement
        # and the same bucket: whatever spelling of a REST path the transcoder accepts, it has become
        # the method's gRPC path by now, and the route of that path says whether a token is needed.
        _jwt_filter(settings),
        _typed("envoy.filters.http.local_ratelimit", LocalRateLimit(stat_prefix="http_local_rate_limiter")),
        _typed("envoy.filters.http.router", Router()),
    ]
    manager = HttpConnectionManager(
        stat_prefix="gateway",
        use_remote_address=True,
        xff_num_trusted_hops=0,
        max_request_headers_kb=settings.max_request_headers_kb,
        # One spelling per path before any filter or route looks at it: dot segments resolved,
        # unreserved characters decoded, slashes merged; an encoded slash is refused outright.
        normalize_path=True,
        merge_slashes=True,
        path_with_escaped_slashes_action=HttpConnectionManagerPathWithEscapedSlashesAction.REJECT_REQUEST,
        local_reply_config=local_replies(DOCS_CONTENT_TYPES if settings.api_docs is not None else None),
        tracing=_tracing(settings),
        route_config=RouteConfiguration(
            name="pulseone",
            request_headers_to_add=[gateway_proof()],
            # The OpenAPI document the gateway serves is larger than Envoy's 4 KiB default.
            max_direct_response_body_size_bytes=MAX_DIRECT_RESPONSE_BYTES,
            virtual_hosts=[
                VirtualHost(
                    name="pulseone",
                    domains=["*"],
                    routes=routes(settings, methods),
                    typed_per_filter_config={"envoy.filters.http.cors": AnyMessage.pack(_cors(settings))},
                )
            ],
        ),
        http_filters=http_filters,
    )
    listener = Listener(
        name="gateway",
        address=_address(settings.listen_host, settings.listen_port),
        filter_chains=[
            FilterChain(
                filters=[
                    Filter(name="envoy.filters.network.http_connection_manager", typed_config=AnyMessage.pack(manager))
                ]
            )
        ],
    )
    listeners, clusters = [listener], [_cluster(u, service_of.get(u.name, ""), settings) for u in settings.upstreams]
    clusters.append(_self_cluster(settings))
    if settings.stats_port is not None:
        listeners.append(_stats_listener(settings, settings.stats_port))
        clusters.append(_local_cluster(ADMIN_CLUSTER, "127.0.0.1", settings.admin_port))
    if settings.otlp_endpoint is not None:
        clusters.append(_collector_cluster(settings.otlp_endpoint))
    return Bootstrap(
        admin=Admin(address=_address("127.0.0.1", settings.admin_port)),
        static_resources=BootstrapStaticResources(listeners=listeners, clusters=clusters),
    )


def render(settings: GatewaySettings) -> str:
    """Envoy's configuration as JSON, ready for `envoy -c`."""
    return json.dumps(json.loads(bootstrap(settings).to_json()), indent=2)
