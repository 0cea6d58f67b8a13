"""The one server interceptor: request id, logging, authentication, authorization and error mapping."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import grpc

from services.common import metrics
from services.common.audit import AuditRule, AuditTrail, AuditUnavailable, Outcome, outcome_of
from services.common.authz import INFRASTRUCTURE_PREFIXES, AccessRule, authorize
from services.common.context import (
    AccountStatus,
    Principal,
    client_address_var,
    principal_var,
    request_id_var,
    token_var,
)
from services.common.errors import DeadlineExceeded, DomainError, PermissionDenied, Unauthenticated
from services.common.forwarded import client_address
from services.common.request_checks import RequestChecks, Undecodable, malformed, tolerant
from services.common.status import GRPC_DETAILS_KEY, describe
from services.common.tokens import StatusRecheck, TokenVerifier

log = logging.getLogger("pulseone.rpc")

StatusLookup = Callable[[uuid.UUID], Awaitable[AccountStatus | None]]
"""The service's own, event-fed copy of an account's status; None when it has none."""


def _metadata(context: grpc.aio.ServicerContext) -> dict[str, str]:
    return {key: value for key, value in (context.invocation_metadata() or ()) if isinstance(value, str)}


REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_of(metadata: Mapping[str, str]) -> str:
    """The caller's x-request-id when it is a sane token (it reaches logs, events and the audit
    trail); otherwise a new one."""
    given = metadata.get("x-request-id", "")
    return given if REQUEST_ID.match(given) else str(uuid.uuid4())


async def _refuse_streaming_requests(request: Any, context: grpc.aio.ServicerContext) -> Any:
    await context.abort(grpc.StatusCode.UNIMPLEMENTED, "client-streaming methods are not served")


class ServiceInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Wraps every handler of a service so the servicer only ever sees verified, authorized calls."""

    def __init__(
        self,
        *,
        domain: str,
        rules: Mapping[str, AccessRule],
        verifier: TokenVerifier,
        status_lookup: StatusLookup | None = None,
        status_recheck: StatusRecheck | None = None,
        audit_trail: AuditTrail | None = None,
        gateway_secret: str | None = None,
        deadline_seconds: float = 15.0,
    ) -> None:
        self._domain = domain
        self._service = domain.removeprefix("pulseone.")
        self._rules = rules
        self._verifier = verifier
        self._status_lookup = status_lookup
        self._status_recheck = status_recheck
        self._audit_trail = audit_trail
        self._checks = RequestChecks()
        undeclared = [m for m, r in rules.items() if r.audit is not None] if audit_trail is None else []
        if undeclared:
            raise ValueError(f"{', '.join(undeclared)} declare an audit but the service has no audit trail")
        self._gateway_secret = gateway_secret
        self._deadline = deadline_seconds

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method: str = details.method
        if handler is None or method.startswith(INFRASTRUCTURE_PREFIXES):
            return handler
        rule = self._rules.get(method)
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(method, rule, handler.unary_unary),
                request_deserializer=tolerant(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(method, rule, handler.unary_stream),
                request_deserializer=tolerant(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        # No PulseOne contract streams requests; such a method would escape authentication and
        # audit, so it is refused rather than served unwrapped.
        return grpc.unary_unary_rpc_method_handler(_refuse_streaming_requests)

    async def _enter(self, method: str, rule: AccessRule | None, context: grpc.aio.ServicerContext) -> None:
        metadata = _metadata(context)
        request_id_var.set(request_id_of(metadata))
        client_address_var.set(client_address(metadata, context.peer() or "", self._gateway_secret))
        principal_var.set(None)
        token_var.set("")
        if rule is None:
            raise PermissionDenied(f"{method} declares no access rule", reason="METHOD_NOT_DECLARED")
        if rule.public:
            return
        authorization = metadata.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("sign in first: send Authorization: Bearer <access token>", reason="TOKEN_MISSING")
        principal = await self._verifier.principal(token.strip())
        principal = await self._with_current_status(principal, token.strip())
        principal_var.set(principal)
        token_var.set(token.strip())
        authorize(rule, principal)

    async def close(self) -> None:
        """Wait for audit entries still being written (at shutdown, after the last call)."""
        if self._audit_trail is not None:
            await self._audit_trail.close()

    def _check_shape(self, request: Any) -> None:
        """After authentication, so an anonymous caller learns nothing about a method's fields."""
        if isinstance(request, Undecodable):
            raise malformed()
        self._checks.check(request)

    def _audited(self, rule: AccessRule | None) -> tuple[AuditRule, Principal, AuditTrail] | None:
        """The audit rule, caller and trail of a call that is recorded: a method declaring an audit,
        called by a signed-in user (calls refused before the caller was known have no actor)."""
        principal = principal_var.get()
        if rule is None or rule.audit is None or principal is None or self._audit_trail is None:
            return None
        return rule.audit, principal, self._audit_trail

    async def _audit_start(self, rule: AccessRule | None, call_id: uuid.UUID, request: Any) -> None:
        """Before a method that changes clinical data runs, its call is stored as STARTED: whatever
        happens after it commits, the change is on the trail. If that cannot be stored, nothing runs."""
        audited = self._audited(rule)
        if audited is None or not audited[0].changes:
            return
        audit, principal, trail = audited
        try:
            await trail.record(principal, call_id, request_id_var.get(), audit.entries(request, None, Outcome.STARTED))
        except Exception as failure:
            raise AuditUnavailable() from failure

    def _audit_cancelled(self, rule: AccessRule | None, call_id: uuid.UUID, request: Any) -> None:
        """The caller went away while a change ran: its outcome is CANCELLED (what committed stands).
        Queued, not awaited: the writer runs on its own."""
        audited = self._audited(rule)
        if audited is not None and audited[0].changes:
            audit, principal, trail = audited
            trail.submit(principal, call_id, request_id_var.get(), audit.entries(request, None, Outcome.CANCELLED))

    async def _audit(
        self, rule: AccessRule | None, call_id: uuid.UUID, request: Any, response: Any, error: BaseException | None
    ) -> None:
        """Record the outcome. A read's reply never leaves unrecorded: if the trail cannot be written,
        the call fails (nothing changed, so a retry is safe). A change that ran is already on the
        trail as STARTED, so its reply is not withheld; a refusal's reply is not either."""
        audited = self._audited(rule)
        if audited is None:
            return
        audit, principal, trail = audited
        outcome = outcome_of(error)
        try:
            await trail.record(principal, call_id, request_id_var.get(), audit.entries(request, response, outcome))
        except Exception as failure:
            if error is None and not audit.changes:
                raise AuditUnavailable() from failure

    async def _with_current_status(self, principal: Principal, token: str) -> Principal:
        """The account status this service holds, not the token's claim (which may be 15 minutes old).

        When the two disagree, this service's event-fed copy may be the stale one (an approval that
        has not arrived yet), so the owner is asked; if it cannot answer, the copy stands.
        """
        if self._status_lookup is None:
            return principal
        status = await self._status_lookup(principal.user_id)
        if status is None:
            return principal
        if status is not principal.status and self._status_recheck is not None:
            status = await self._status_recheck(token) or status
        return dataclasses.replace(principal, status=status)

    async def _fail(self, context: grpc.aio.ServicerContext, method: str, error: Exception) -> None:
        if isinstance(error, DomainError):
            log.debug("rpc refused", extra={"method": method, "reason": error.reason})
        else:
            log.error("rpc failed", extra={"method": method}, exc_info=error)
        code, status = describe(error, self._domain, request_id_var.get())
        metrics.REQUESTS.labels(self._service, method, code.name).inc()
        await context.abort(code, status.message, trailing_metadata=((GRPC_DETAILS_KEY, status.SerializeToString()),))

    def _wrap_unary(
        self, method: str, rule: AccessRule | None, behavior: Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]
    ) -> Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]:
        latency = metrics.LATENCY.labels(self._service, method)
        answered = metrics.REQUESTS.labels(self._service, method, grpc.StatusCode.OK.name)

        async def handle(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started = time.perf_counter()
            response: Any = None
            failure: Exception | None = None
            call_id = uuid.uuid4()
            # Every call has a deadline, counted from its arrival: a handler stuck on a lock or a slow
            # dependency gives its worker back and its caller a clear answer, instead of holding both.
            deadline = asyncio.timeout(self._deadline)
            try:
                await self._enter(method, rule, context)
                self._check_shape(request)
                await self._audit_start(rule, call_id, request)
                async with deadline:
                    response = await behavior(request, context)
            except TimeoutError as error:
                # Only our deadline is one; a TimeoutError of the handler's own (a NATS request, say) is
                # an unexpected failure like any other.
                failure = DeadlineExceeded() if deadline.expired() else error
            except grpc.aio.AbortError:
                latency.observe(time.perf_counter() - started)
                metrics.REQUESTS.labels(self._service, method, _code_of(context)).inc()
                raise
            except asyncio.CancelledError:
                latency.observe(time.perf_counter() - started)
                metrics.REQUESTS.labels(self._service, method, grpc.StatusCode.CANCELLED.name).inc()
                self._audit_cancelled(rule, call_id, request)
                raise
            except Exception as error:  # noqa: BLE001 - mapped to a status, never leaked
                failure = error
            try:
                await self._audit(rule, call_id, request, response, failure)
            except Exception as error:  # noqa: BLE001 - the call fails rather than leave unrecorded
                failure = error
            latency.observe(time.perf_counter() - started)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("rpc", extra={"method": method, "ms": round((time.perf_counter() - started) * 1000, 2)})
            if failure is not None:
                await self._fail(context, method, failure)
            answered.inc()
            return response

        return handle

    def _wrap_stream(
        self,
        method: str,
        rule: AccessRule | None,
        behavior: Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]],
    ) -> Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]]:
        async def handle(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            failure = None
            call_id = uuid.uuid4()
            try:
                await self._enter(method, rule, context)
                self._check_shape(request)
                # A stream is recorded when it is granted, before the first message leaves.
                await self._audit(rule, call_id, request, None, None)
                async for response in behavior(request, context):
                    yield response
            except grpc.aio.AbortError:
                raise
            except Exception as error:  # noqa: BLE001 - mapped to a status, never leaked
                failure = error
            if failure is not None:
                with contextlib.suppress(Exception):
                    await self._audit(rule, call_id, request, None, failure)
                await self._fail(context, method, failure)

        return handle


def _code_of(context: grpc.aio.ServicerContext) -> str:
    """The status a handler aborted with itself."""
    code = context.code()
    return str(code.name) if isinstance(code, grpc.StatusCode) else grpc.StatusCode.UNKNOWN.name
