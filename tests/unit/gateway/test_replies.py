"""The gateway's own replies: one wording per status, in the form the caller's protocol reads."""

from __future__ import annotations

import base64

from google.rpc import error_details_pb2, status_pb2

from gateway.replies import DOMAIN, INTERNAL, LOCAL_REPLIES, LocalReply, local_replies, status_details


def _decoded(reply: LocalReply) -> tuple[status_pb2.Status, error_details_pb2.ErrorInfo]:
    encoded = status_details(reply)
    status = status_pb2.Status.FromString(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return status, info


def test_grpc_status_details_carry_the_code_reason_and_domain() -> None:
    for reply in LOCAL_REPLIES:
        status, info = _decoded(reply)
        assert (status.code, status.message) == (reply.code, reply.message)
        assert (info.reason, info.domain) == (reply.reason, DOMAIN)


def test_grpc_and_grpc_web_callers_get_a_trailers_only_reply_with_the_same_code() -> None:
    mappers = local_replies().to_dict()["mappers"]
    grpc_form = [m for m in mappers if "andFilter" in m["filter"]]
    replies = [r for r in LOCAL_REPLIES if r.grpc_form]
    for mapper, reply in zip(grpc_form, replies, strict=True):
        headers = {h["header"]["key"]: h["header"]["value"] for h in mapper["headersToAdd"]}
        assert mapper["statusCode"] == 200
        assert headers["grpc-status"] == str(reply.code)
        assert headers["grpc-message"] == reply.message
        assert mapper["bodyFormatOverride"] == {"textFormatSource": {"inlineString": ""}}


def test_every_status_is_mapped_once_per_form() -> None:
    statuses = [r.status for r in LOCAL_REPLIES]
    assert len(statuses) == len(set(statuses))


ENVOY_STATUSES = (400, 401, 403, 404, 405, 408, 413, 414, 415, 426, 429, 431, 500, 502, 503, 504)


def test_every_status_envoy_makes_itself_has_its_own_wording() -> None:
    assert {r.status for r in LOCAL_REPLIES} >= set(ENVOY_STATUSES)


def test_a_client_mistake_is_never_an_internal_error() -> None:
    for reply in LOCAL_REPLIES:
        if 400 <= reply.status < 500:
            assert reply.code not in (2, 13), reply


def test_only_texts_meant_for_clients_are_passed_on() -> None:
    passed_on = {r.status for r in LOCAL_REPLIES if r.envoy_text}
    assert passed_on == {400, 401, 403, 415}
    assert not INTERNAL.envoy_text
