"""Who may call what: the `pulseone.authz.v1.rule` method option, resolved once and enforced per call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool
from pulseone.authz.v1 import authz_pb2

from services.common.audit import AuditRule
from services.common.context import AccountStatus, Principal, Role
from services.common.errors import PermissionDenied

# Infrastructure services served on every service port; they are never routed by the gateway.
INFRASTRUCTURE_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.")


@dataclass(frozen=True)
class AccessRule:
    """The authz option of one method, as plain values."""

    public: bool
    roles: frozenset[Role]
    allow_pending: bool
    audit: AuditRule | None = None

    @classmethod
    def from_option(cls, rule: authz_pb2.Rule) -> AccessRule:
        return cls(
            public=rule.public,
            roles=frozenset(Role(authz_pb2.Rule.Role.Name(r)) for r in rule.roles),
            allow_pending=rule.allow_pending,
            audit=AuditRule.from_option(rule.audit) if rule.HasField("audit") else None,
        )


def rule_option(options: descriptor_pb2.MethodOptions) -> authz_pb2.Rule | None:
    """The `pulseone.authz.v1.rule` option of a method, or None when it declares none."""
    extension: Any = authz_pb2.rule  # the generated stub types it as a plain FieldDescriptor
    if not options.HasExtension(extension):
        return None
    rule: authz_pb2.Rule = options.Extensions[extension]
    return rule


def rules_for_services(service_names: Iterable[str]) -> dict[str, AccessRule]:
    """Map `/package.Service/Method` to its rule for every method of the named services.

    Methods without the option are left out, so the interceptor refuses them.
    """
    pool = descriptor_pool.Default()
    rules: dict[str, AccessRule] = {}
    for service_name in service_names:
        service = pool.FindServiceByName(service_name)
        for method in service.methods:
            rule = rule_option(method.GetOptions())
            if rule is not None:
                rules[f"/{service.full_name}/{method.name}"] = AccessRule.from_option(rule)
    return rules


def authorize(rule: AccessRule, principal: Principal) -> None:
    """Apply a rule to a verified caller whose status is current; raise PERMISSION_DENIED if it does not allow them."""
    if rule.public:
        return
    if principal.status is AccountStatus.SUSPENDED:
        raise PermissionDenied("this account is suspended", reason="ACCOUNT_SUSPENDED")
    if rule.roles and principal.role not in rule.roles:
        raise PermissionDenied(
            f"this operation is not available to the {principal.role} role",
            reason="ROLE_NOT_ALLOWED",
            metadata={"role": principal.role.value},
        )
    if principal.status is AccountStatus.PENDING_APPROVAL and not rule.allow_pending:
        raise PermissionDenied(
            "this account is waiting for approval by an administrator", reason="ACCOUNT_NOT_APPROVED"
        )
