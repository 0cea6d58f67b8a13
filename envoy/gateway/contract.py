"""What the gateway learns from the descriptor set: the public methods, their REST bindings and rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pb2
from pulseone.authz.v1 import authz_pb2

from services.common.authz import rule_option

_VARIABLE = re.compile(r"\{([^}=]+)(=([^}]*))?\}")


@dataclass(frozen=True)
class Binding:
    """One REST binding of a method: an HTTP verb and a path template."""

    verb: str
    template: str

    def regex(self) -> str:
        """An RE2 pattern matching the paths of this template (a variable is one or more segments),
        with or without the trailing slash the transcoder also accepts."""
        pattern, position = "", 0
        for match in _VARIABLE.finditer(self.template):
            pattern += re.escape(self.template[position : match.start()])
            sub = match.group(3)
            pattern += "[^/]+(/[^/]+)*" if sub and "**" in sub else "[^/]+"
            position = match.end()
        return "^" + pattern + re.escape(self.template[position:]) + "/?$"

    def shape(self) -> tuple[str, str]:
        """Verb and path with every variable reduced to `*`: two bindings with one shape compete."""
        return self.verb, _VARIABLE.sub("*", self.template)


@dataclass(frozen=True)
class Method:
    """A method of a PulseOne service, as the gateway sees it."""

    service: str
    name: str
    server_streaming: bool
    bindings: tuple[Binding, ...]
    rule: authz_pb2.Rule | None

    @property
    def grpc_path(self) -> str:
        return f"/{self.service}/{self.name}"

    @property
    def cluster(self) -> str:
        """The service that serves it: `pulseone.auth.v1.AuthService` is served by `auth`."""
        return self.service.split(".")[1]

    @property
    def public(self) -> bool:
        return self.rule is not None and self.rule.public

    @property
    def exposed(self) -> bool:
        """Only methods with a REST mapping are part of the public API; the rest stay internal."""
        return bool(self.bindings)


def _bindings(rule: http_pb2.HttpRule) -> list[Binding]:
    found = []
    for verb in ("get", "put", "post", "delete", "patch"):
        template = getattr(rule, verb)
        if template:
            found.append(Binding(verb.upper(), template))
    for extra in rule.additional_bindings:
        found.extend(_bindings(extra))
    return found


def load_methods(descriptor_set: Path) -> list[Method]:
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())
    methods = []
    for file in files.file:
        if not file.package.startswith("pulseone."):
            continue
        for service in file.service:
            for method in service.method:
                options = method.options
                http = options.Extensions[annotations_pb2.http] if options.HasExtension(annotations_pb2.http) else None
                rule = rule_option(options)
                methods.append(
                    Method(
                        service=f"{file.package}.{service.name}",
                        name=method.name,
                        server_streaming=method.server_streaming,
                        bindings=tuple(_bindings(http)) if http else (),
                        rule=rule,
                    )
                )
    return methods
