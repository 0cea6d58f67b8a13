"""The replies the gateway makes itself, worded as SPEC errors for REST, gRPC and gRPC-Web callers alike."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass

from envoy_data_plane.envoy.config.accesslog.v3 import (
    AccessLogFilter,
    AndFilter,
    ComparisonFilter,
    ComparisonFilterOp,
    HeaderFilter,
    StatusCodeFilter,
)
from envoy_data_plane.envoy.config.core.v3 import (
    DataSource,
    HeaderValue,
    HeaderValueOption,
    HeaderValueOptionHeaderAppendAction,
    RuntimeUInt32,
    SubstitutionFormatString,
)
from envoy_data_plane.envoy.config.route.v3 import HeaderMatcher
from envoy_data_plane.envoy.extensions.filters.network.http_connection_manager.v3 import (
    LocalReplyConfig,
    ResponseMapper,
)
from envoy_data_plane.envoy.type.matcher.v3 import RegexMatcher, StringMatcher
from envoy_data_plane.google.protobuf import Struct
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

DOMAIN = "pulseone.gateway"
# The request's content type as the client sent it, copied before the gRPC-Web filter rewrites it to
# application/grpc (and the transcoder does the same to REST calls): replies are worded by it. It is
# not stripped at the router, which would remove it from the request before a later local reply.
CLIENT_CONTENT_TYPE = "x-pulseone-client-content-type"
ENVOY_TEXT = "%LOCAL_REPLY_BODY%"
SERVING = {"status": "SERVING"}


@dataclass(frozen=True)
class LocalReply:
    """How the gateway words the replies it makes itself with one HTTP status."""

    status: int
    code: int
    reason: str
    message: str
    # Envoy's own text (a JSON parse error, a token problem) is meant for REST clients: it is their
    # message, and Envoy's reason code goes in the ErrorInfo. Elsewhere both stay inside: Envoy's
    # text for an oversized request lists header names and sizes, for a failed upstream its reset
    # reason, and neither is a client's business.
    envoy_text: bool = False
    rewrite_to: int | None = None
    # gRPC and gRPC-Web callers get it in gRPC form; a refusal of their content type on a REST path
    # stays in the path's form (JSON), with the status header for those that read it.
    grpc_form: bool = True


LOCAL_REPLIES = (
    LocalReply(400, 3, "INVALID_REQUEST", "the request is malformed", envoy_text=True),
    LocalReply(401, 16, "UNAUTHENTICATED", "a valid access token is required", envoy_text=True),
    # jwt_authn answers a token for another audience with 403; SPEC makes it 401 like any invalid token.
    LocalReply(403, 16, "UNAUTHENTICATED", "a valid access token is required", envoy_text=True, rewrite_to=401),
    LocalReply(404, 5, "ROUTE_NOT_FOUND", "no method is served at this path with this verb"),
    LocalReply(405, 5, "ROUTE_NOT_FOUND", "no method is served at this path with this verb"),
    LocalReply(408, 4, "REQUEST_TIMEOUT", "the request did not arrive in time"),
    LocalReply(413, 3, "REQUEST_TOO_LARGE", "the request body is too large"),
    LocalReply(414, 3, "REQUEST_URI_TOO_LONG", "the request URI is too long"),
    LocalReply(
        415, 3, "UNSUPPORTED_CONTENT_TYPE", "wrong content type for this path", envoy_text=True, grpc_form=False
    ),
    LocalReply(426, 3, "UNSUPPORTED_PROTOCOL", "use HTTP/1.1 or HTTP/2"),
    LocalReply(429, 8, "RATE_LIMITED", "too many requests, retry later"),
    LocalReply(431, 3, "REQUEST_HEADERS_TOO_LARGE", "the request headers (with the URL) are too large"),
    LocalReply(500, 13, "GATEWAY_ERROR", "the gateway failed to handle the request"),
    LocalReply(502, 14, "UNAVAILABLE", "the service is unavailable, retry later"),
    LocalReply(503, 14, "UNAVAILABLE", "the service is unavailable, retry later"),
    LocalReply(504, 4, "DEADLINE_EXCEEDED", "the service did not answer in time"),
)
# A status not in the table would be the gateway's own failure; Envoy's words for it stay inside.
INTERNAL = LocalReply(0, 13, "GATEWAY_ERROR", "the gateway failed to handle the request")


def overwrite_header(name: str, value: str) -> HeaderValueOption:
    """A header set to `value`, replacing any the request or reply already has."""
    return HeaderValueOption(
        header=HeaderValue(key=name, value=value),
        append_action=HeaderValueOptionHeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
    )


def _status_is(status: int) -> AccessLogFilter:
    return AccessLogFilter(
        status_code_filter=StatusCodeFilter(
            comparison=ComparisonFilter(
                op=ComparisonFilterOp.EQ, value=RuntimeUInt32(default_value=status, runtime_key=f"reply_{status}")
            )
        )
    )


def _from_grpc_client() -> AccessLogFilter:
    grpc = HeaderMatcher(name=CLIENT_CONTENT_TYPE, string_match=StringMatcher(prefix="application/grpc"))
    return AccessLogFilter(header_filter=HeaderFilter(header=grpc))


def json_body(reply: LocalReply) -> SubstitutionFormatString:
    """`{code, message, details: [ErrorInfo]}`, the shape of every PulseOne error."""
    info: dict[str, object] = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reply.reason}
    info["domain"] = DOMAIN
    if reply.envoy_text:
        info["metadata"] = {"detail": "%RESPONSE_CODE_DETAILS%"}
    body = {"code": reply.code, "message": ENVOY_TEXT if reply.envoy_text else reply.message, "details": [info]}
    return SubstitutionFormatString(json_format=Struct.from_dict(body))


def status_details(reply: LocalReply) -> str:
    """The reply as a `google.rpc.Status` for `grpc-status-details-bin` (base64, unpadded)."""
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=reply.reason, domain=DOMAIN))
    status = status_pb2.Status(code=reply.code, message=reply.message, details=[info])
    return base64.b64encode(status.SerializeToString()).decode().rstrip("=")


def _rest_mapper(reply: LocalReply) -> ResponseMapper:
    return ResponseMapper(
        filter=_status_is(reply.status),
        status_code=reply.rewrite_to,
        # Also for a gRPC caller Envoy answered before it was recognised (its reply is converted to
        # gRPC form): the status header carries the body's code.
        headers_to_add=[overwrite_header("grpc-status", str(reply.code))],
        body_format_override=json_body(reply),
    )


def _grpc_mapper(reply: LocalReply) -> ResponseMapper:
    """A gRPC or gRPC-Web caller gets a trailers-only reply (HTTP 200, no body) with the status, a
    fixed message and the ErrorInfo as rich status details. The gRPC-Web filter passes such a reply
    through; a reply with a body and another HTTP status it would re-code from the HTTP status,
    turning a 400 into INTERNAL."""
    return ResponseMapper(
        filter=AccessLogFilter(and_filter=AndFilter(filters=[_status_is(reply.status), _from_grpc_client()])),
        status_code=200,
        headers_to_add=[
            overwrite_header("grpc-status", str(reply.code)),
            overwrite_header("grpc-message", reply.message),
            overwrite_header("grpc-status-details-bin", status_details(reply)),
        ],
        body_format_override=SubstitutionFormatString(text_format_source=DataSource(inline_string="")),
    )


def _serving_mapper() -> ResponseMapper:
    """The one success the gateway answers itself is /health with every service up."""
    return ResponseMapper(
        filter=_status_is(200), body_format_override=SubstitutionFormatString(json_format=Struct.from_dict(SERVING))
    )


def _file_mapper(path: str, content_type: str) -> ResponseMapper:
    """A file the gateway serves (the API's document, its docs page) goes out as it is, in its own
    content type, where every other reply of the gateway's own is reworded."""
    # The path as the client sent it, query string and all (the route ignores the query; so must this).
    at_path = HeaderMatcher(
        name=":path", string_match=StringMatcher(safe_regex=RegexMatcher(regex=f"^{re.escape(path)}(\\?.*)?$"))
    )
    return ResponseMapper(
        filter=AccessLogFilter(
            and_filter=AndFilter(filters=[_status_is(200), AccessLogFilter(header_filter=HeaderFilter(header=at_path))])
        ),
        body_format_override=SubstitutionFormatString(
            text_format_source=DataSource(inline_string="%LOCAL_REPLY_BODY%"), content_type=content_type
        ),
    )


def local_replies(files: Mapping[str, str] | None = None) -> LocalReplyConfig:
    """Every status the gateway produces itself, worded for the caller's protocol; `files` (path to
    content type) are what it serves as they are."""
    return LocalReplyConfig(
        mappers=[
            *(_file_mapper(path, content_type) for path, content_type in (files or {}).items()),
            _serving_mapper(),
            *(_grpc_mapper(r) for r in LOCAL_REPLIES if r.grpc_form),
            *(_rest_mapper(r) for r in LOCAL_REPLIES),
        ],
        body_format=json_body(INTERNAL),
    )
