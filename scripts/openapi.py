"""The REST API as an OpenAPI 3 document, generated from the descriptor set (gen/pulseone.pb).

The protos are the contract (DESIGN 4): each method's `google.api.http` bindings become operations,
its messages become schemas in the proto3 JSON mapping Envoy's transcoder speaks (SPEC 1: camelCase
names, enums by name, int64 as strings, timestamps as RFC 3339), the proto comments become the
descriptions, the `pulseone.validation.v1.limits` options become maxLength / maxItems, the
`pulseone.authz.v1.rule` option says whether a bearer token is needed, and every error has SPEC's
one shape. Written to gen/openapi.json by `make gen` and checked for drift like the other generated code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pb2
from pulseone.validation.v1 import validation_pb2

from services.common.authz import rule_option
from services.common.request_checks import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, declared_limits

Schema = dict[str, Any]
FieldProto = descriptor_pb2.FieldDescriptorProto

TITLE = "PulseOne"
VERSION = "1"
ERROR_SCHEMA = "Error"
# Every error reply of the gateway and the services (SPEC 1), with the statuses a caller may meet.
ERROR_STATUSES = {
    "400": "Malformed or invalid input (BadRequest field violations), or a state that forbids it",
    "401": "No token, or one that is not valid",
    "403": "Not allowed, including other people's resources whether or not they exist",
    "404": "Not found, for a caller entitled to know",
    "409": "A duplicate, or a concurrent change that may be retried",
    "429": "Rate limited",
    "503": "A service is unavailable: retry later",
}
WELL_KNOWN: dict[str, Schema] = {
    ".google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    ".google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$"},
    ".google.protobuf.FieldMask": {"type": "string", "description": "Comma-separated lowerCamelCase field paths"},
    ".google.protobuf.Empty": {"type": "object"},
    ".google.protobuf.Struct": {"type": "object"},
    ".google.protobuf.Value": {},
    ".google.protobuf.ListValue": {"type": "array", "items": {}},
    ".google.protobuf.Any": {
        "type": "object",
        "properties": {"@type": {"type": "string"}},
        "required": ["@type"],
        "additionalProperties": True,
    },
}
INT64 = {"type": "string", "pattern": r"^-?[0-9]+$", "format": "int64"}
UINT64 = {"type": "string", "pattern": r"^[0-9]+$", "format": "uint64"}
SCALARS: dict[int, Schema] = {
    FieldProto.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FieldProto.TYPE_FLOAT: {"type": "number", "format": "float"},
    FieldProto.TYPE_INT64: INT64,
    FieldProto.TYPE_SINT64: INT64,
    FieldProto.TYPE_SFIXED64: INT64,
    FieldProto.TYPE_UINT64: UINT64,
    FieldProto.TYPE_FIXED64: UINT64,
    FieldProto.TYPE_INT32: {"type": "integer", "format": "int32"},
    FieldProto.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FieldProto.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    FieldProto.TYPE_UINT32: {"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295},
    FieldProto.TYPE_FIXED32: {"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295},
    FieldProto.TYPE_BOOL: {"type": "boolean"},
    FieldProto.TYPE_STRING: {"type": "string"},
    FieldProto.TYPE_BYTES: {"type": "string", "format": "byte"},
}
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
DATE_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_VARIABLE = re.compile(r"\{([^}=]+)(=[^}]*)?\}")
# Source-info paths (descriptor.proto field numbers): a file's messages, a message's fields, nested
# messages and enums, a file's enums and services, a service's methods, an enum's values.
FILE_MESSAGES, MESSAGE_FIELDS, MESSAGE_NESTED, MESSAGE_ENUMS = 4, 2, 3, 4
FILE_ENUMS, FILE_SERVICES, SERVICE_METHODS, ENUM_VALUES = 5, 6, 2, 2


@dataclass
class Message:
    name: str
    proto: descriptor_pb2.DescriptorProto
    comments: dict[tuple[int, ...], str]
    path: tuple[int, ...]


@dataclass
class Enum:
    name: str
    proto: descriptor_pb2.EnumDescriptorProto
    comments: dict[tuple[int, ...], str]
    path: tuple[int, ...]


@dataclass
class Catalogue:
    """Every message and enum of the descriptor set by full name (`.pkg.Name`), with its comments."""

    messages: dict[str, Message] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)

    def add_file(self, file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
        comments = {
            tuple(location.path): _clean(location.leading_comments or location.trailing_comments)
            for location in file.source_code_info.location
            if location.leading_comments or location.trailing_comments
        }
        prefix = f".{file.package}" if file.package else ""
        for index, message in enumerate(file.message_type):
            self._add_message(f"{prefix}.{message.name}", message, comments, (FILE_MESSAGES, index))
        for index, enum in enumerate(file.enum_type):
            self.enums[f"{prefix}.{enum.name}"] = Enum(f"{prefix}.{enum.name}", enum, comments, (FILE_ENUMS, index))
        return comments

    def _add_message(
        self,
        name: str,
        message: descriptor_pb2.DescriptorProto,
        comments: dict[tuple[int, ...], str],
        path: tuple[int, ...],
    ) -> None:
        self.messages[name] = Message(name, message, comments, path)
        for index, nested in enumerate(message.nested_type):
            self._add_message(f"{name}.{nested.name}", nested, comments, (*path, MESSAGE_NESTED, index))
        for index, enum in enumerate(message.enum_type):
            self.enums[f"{name}.{enum.name}"] = Enum(
                f"{name}.{enum.name}", enum, comments, (*path, MESSAGE_ENUMS, index)
            )


def _clean(comment: str) -> str:
    return "\n".join(line.strip() for line in comment.strip().splitlines()).strip()


def string_shape(name: str) -> str | None:
    """The shape SPEC 1 gives a string field by its name: every id is a UUID (a video participant
    may also be the `recorder`), every date "YYYY-MM-DD". Empty is allowed too: proto3 writes an
    unset field as "", and an optional id left empty means "none" (e.g. a virtual session's clinic)."""
    if "participant" not in name and (name == "id" or name.endswith(("_id", "_ids"))):
        return UUID_PATTERN
    if name == "date" or name.endswith("_date") or name == "date_of_birth":
        return DATE_PATTERN
    return None


# Fields named like ids that also hold other marks: an audit entry's resource is "-" when the call
# named none and "?" when the caller sent something that is no id; its request id is the caller's
# x-request-id, any sane token.
NOT_ONLY_UUIDS = {"pulseone.audit.v1.AuditEntry.resource_id", "pulseone.audit.v1.AuditEntry.request_id"}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name.lstrip('.')}"}


class Builder:
    """Schemas for the messages the operations reach, and the operations themselves."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.schemas: dict[str, Schema] = {}

    def field_schema(self, message: Message, index: int, proto: FieldProto) -> Schema:
        limits = declared_limits(proto.options)
        if f"{message.name.lstrip('.')}.{proto.name}" in NOT_ONLY_UUIDS:
            value = self._limited(dict(SCALARS[proto.type]), limits)
        else:
            value = self._value_schema(proto)
        entry = self.catalogue.messages.get(proto.type_name)
        if entry is not None and entry.proto.options.map_entry:
            _, item = entry.proto.field
            schema: Schema = {"type": "object", "additionalProperties": self._value_schema(item)}
            if limits.max_items:
                schema["maxProperties"] = limits.max_items
        elif proto.label == FieldProto.LABEL_REPEATED:
            schema = {"type": "array", "items": self._limited(value, limits)}
            if limits.max_items:
                schema["maxItems"] = limits.max_items
        else:
            schema = self._limited(value, limits)
        description = message.comments.get((*message.path, MESSAGE_FIELDS, index))
        if description:
            # A $ref may carry no siblings in OpenAPI 3.0: wrap it to keep the description.
            schema = (
                {"allOf": [schema], "description": description}
                if "$ref" in schema
                else {**schema, "description": description}
            )
        return schema

    @staticmethod
    def _limited(schema: Schema, limits: validation_pb2.Limits) -> Schema:
        if limits.max_length and schema.get("type") == "string":
            return {**schema, "maxLength": limits.max_length}
        return schema

    def _value_schema(self, proto: FieldProto) -> Schema:
        if proto.type == FieldProto.TYPE_MESSAGE:
            return self.message_schema(proto.type_name)
        if proto.type == FieldProto.TYPE_ENUM:
            return self.enum_schema(proto.type_name)
        shape = string_shape(proto.name) if proto.type == FieldProto.TYPE_STRING else None
        return {**SCALARS[proto.type], "pattern": f"^({shape})?$"} if shape else dict(SCALARS[proto.type])

    def enum_schema(self, name: str) -> Schema:
        key = name.lstrip(".")
        if key not in self.schemas:
            enum = self.catalogue.enums[name]
            values = [value.name for value in enum.proto.value]
            described = [
                f"- `{value.name}`: {enum.comments[(*enum.path, ENUM_VALUES, index)]}"
                for index, value in enumerate(enum.proto.value)
                if (*enum.path, ENUM_VALUES, index) in enum.comments
            ]
            text = "\n".join(filter(None, [enum.comments.get(enum.path, ""), *described]))
            self.schemas[key] = {"type": "string", "enum": values, **({"description": text} if text else {})}
        return _ref(name)

    def message_schema(self, name: str) -> Schema:
        if name in WELL_KNOWN:
            return dict(WELL_KNOWN[name])
        key = name.lstrip(".")
        if key not in self.schemas:
            self.schemas[key] = {}  # placed first: a message may contain itself
            message = self.catalogue.messages[name]
            properties = {
                proto.json_name: self.field_schema(message, index, proto)
                for index, proto in enumerate(message.proto.field)
            }
            schema: Schema = {"type": "object", "properties": properties}
            if message.path in message.comments:
                schema["description"] = message.comments[message.path]
            self.schemas[key] = schema
        return _ref(name)

    def fields(self, name: str) -> list[tuple[int, FieldProto]]:
        return list(enumerate(self.catalogue.messages[name].proto.field))


@dataclass(frozen=True)
class Operation:
    verb: str
    template: str
    body: str
    response_body: str


def _operations(rule: http_pb2.HttpRule) -> Iterator[Operation]:
    for verb in ("get", "put", "post", "delete", "patch"):
        template = getattr(rule, verb)
        if template:
            yield Operation(verb, template, rule.body, rule.response_body)
    for extra in rule.additional_bindings:
        yield from _operations(extra)


def _path_fields(template: str) -> list[str]:
    return [match.group(1) for match in _VARIABLE.finditer(template)]


def _path_schema(name: str) -> Schema:
    shape = string_shape(name.rsplit(".", 1)[-1])
    return {"type": "string", "pattern": f"^{shape}$"} if shape else {"type": "string"}


def _openapi_path(template: str) -> str:
    """`/api/appointments/{appointment_id}` as OpenAPI writes it (the variable named as the field)."""
    return _VARIABLE.sub(lambda match: "{" + match.group(1) + "}", template)


def _query_parameters(builder: Builder, name: str, taken: set[str], prefix: str = "") -> Iterator[Schema]:
    """The request fields a GET or DELETE takes as query parameters (nested messages by dotted path)."""
    message = builder.catalogue.messages[name]
    for index, proto in builder.fields(name):
        path = f"{prefix}{proto.json_name}"
        if proto.name in taken:
            continue
        nested = builder.catalogue.messages.get(proto.type_name)
        if proto.type == FieldProto.TYPE_MESSAGE and proto.type_name not in WELL_KNOWN and nested is not None:
            if not nested.proto.options.map_entry and proto.label != FieldProto.LABEL_REPEATED:
                yield from _query_parameters(builder, proto.type_name, set(), f"{path}.")
            continue
        schema = builder.field_schema(message, index, proto)
        description = schema.pop("description", None) if "allOf" not in schema else None
        parameter: Schema = {"name": path, "in": "query", "schema": schema}
        if schema.get("type") == "array":
            parameter |= {"style": "form", "explode": True}
        if description:
            parameter["description"] = description
        yield parameter


def _request_body(builder: Builder, name: str, operation: Operation, path_fields: set[str]) -> Schema | None:
    if not operation.body:
        return None
    if operation.body == "*":
        message = builder.catalogue.messages[name]
        properties = {
            proto.json_name: builder.field_schema(message, index, proto)
            for index, proto in builder.fields(name)
            if proto.name not in path_fields
        }
        schema: Schema = {"type": "object", "properties": properties}
    else:
        message = builder.catalogue.messages[name]
        index, proto = next((i, f) for i, f in builder.fields(name) if f.name == operation.body)
        schema = builder.field_schema(message, index, proto)
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _response(builder: Builder, method: descriptor_pb2.MethodDescriptorProto, operation: Operation) -> Schema:
    if method.output_type == ".google.api.HttpBody":
        # Whatever the service sends, in the content type it names (a JWKS, a recording).
        return {"description": "The body as the service sends it", "content": {"*/*": {"schema": {}}}}
    if operation.response_body:
        message = builder.catalogue.messages[method.output_type]
        index, proto = next((i, f) for i, f in builder.fields(method.output_type) if f.name == operation.response_body)
        schema = builder.field_schema(message, index, proto)
    else:
        schema = builder.message_schema(method.output_type)
    return {
        "description": "Success (Envoy answers every success with 200)",
        "content": {"application/json": {"schema": schema}},
    }


def _error_responses(public: bool) -> dict[str, Schema]:
    statuses = [status for status in ERROR_STATUSES if status != "401" or not public]
    return {status: {"$ref": f"#/components/responses/{status}"} for status in [*statuses, "default"]}


def _error_response_components() -> dict[str, Schema]:
    error = {"content": {"application/json": {"schema": _ref(ERROR_SCHEMA)}}}
    texts = {**ERROR_STATUSES, "default": "Any other failure, in the same shape (500 hides its cause)"}
    return {status: {"description": text, **error} for status, text in texts.items()}


def _summary(text: str) -> str:
    """The comment's first sentence, on one line."""
    flat = " ".join(text.split())
    return re.split(r"(?<=[.;])\s", flat, maxsplit=1)[0].rstrip(".;")


def document(descriptor_set: Path) -> dict[str, Any]:
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())
    catalogue = Catalogue()
    file_comments = {file.name: catalogue.add_file(file) for file in files.file}
    builder = Builder(catalogue)
    paths: dict[str, dict[str, Any]] = {}
    tags = []
    for file in files.file:
        if not file.package.startswith("pulseone."):
            continue
        comments = file_comments[file.name]
        for service_index, service in enumerate(file.service):
            tag = service.name
            exposed = False
            for method_index, method in enumerate(service.method):
                options = method.options
                if not options.HasExtension(annotations_pb2.http):
                    continue
                exposed = True
                rule = rule_option(options)
                public = rule is not None and rule.public
                text = comments.get((FILE_SERVICES, service_index, SERVICE_METHODS, method_index), "")
                for operation in _operations(options.Extensions[annotations_pb2.http]):
                    path_fields = _path_fields(operation.template)
                    parameters = [
                        {"name": name, "in": "path", "required": True, "schema": _path_schema(name)}
                        for name in path_fields
                    ]
                    if not operation.body:
                        parameters += list(_query_parameters(builder, method.input_type, set(path_fields)))
                    entry: dict[str, Any] = {
                        "operationId": f"{service.name}_{method.name}"
                        + ("" if operation.template == _primary(options) else f"_{_suffix(operation.template)}"),
                        "tags": [tag],
                        "summary": _summary(text) or method.name,
                        "parameters": parameters,
                        "responses": {"200": _response(builder, method, operation), **_error_responses(public)},
                        "x-grpc-method": f"/{file.package}.{service.name}/{method.name}",
                    }
                    if text:
                        entry["description"] = text
                    body = _request_body(builder, method.input_type, operation, set(path_fields))
                    if body is not None:
                        entry["requestBody"] = body
                    entry["security"] = [] if public else [{"bearer": []}]
                    paths.setdefault(_openapi_path(operation.template), {})[operation.verb] = entry
            if exposed:
                service_text = comments.get((FILE_SERVICES, service_index), "")
                tags.append({"name": tag, **({"description": service_text} if service_text else {})})
    builder.schemas[ERROR_SCHEMA] = _error_schema()
    return {
        "openapi": "3.0.3",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "The REST face of PulseOne's gRPC services, served by the Envoy gateway (generated from the "
                "protos: gen/pulseone.pb). Every string a request carries is at most "
                f"{DEFAULT_MAX_LENGTH} characters unless its field says otherwise, and every list at most "
                f"{DEFAULT_MAX_ITEMS} items."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": sorted(tags, key=lambda t: t["name"]),
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": dict(sorted(builder.schemas.items())),
            "responses": _error_response_components(),
        },
    }


def _primary(options: descriptor_pb2.MethodOptions) -> str:
    rule = options.Extensions[annotations_pb2.http]
    return next(operation.template for operation in _operations(rule))


def _suffix(template: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", _VARIABLE.sub("by", template)).strip("_")


def _error_schema() -> Schema:
    return {
        "type": "object",
        "description": "Every error (SPEC 1): the gRPC code, a message for people, and details with a "
        "google.rpc.ErrorInfo whose reason is stable (and google.rpc.BadRequest for invalid fields).",
        "required": ["code", "message", "details"],
        "properties": {
            "code": {
                "type": "integer",
                "description": "The gRPC status code (3 INVALID_ARGUMENT, 7 PERMISSION_DENIED, ...)",
            },
            "message": {"type": "string"},
            "details": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["@type"],
                    "properties": {
                        "@type": {"type": "string"},
                        "reason": {"type": "string", "description": "ErrorInfo: UPPER_SNAKE, stable"},
                        "domain": {
                            "type": "string",
                            "description": "ErrorInfo: pulseone.<service> or pulseone.gateway",
                        },
                        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                        "fieldViolations": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": "string"},
                                    "description": {"type": "string"},
                                    "reason": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }


def write(descriptor_set: Path, document_path: Path, page_path: Path) -> None:
    """The document (indented, so a change reads well in a diff) and the docs page."""
    spec = document(descriptor_set)
    document_path.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n")
    page_path.write_text(html(spec))


def _type_label(schema: Schema) -> str:
    """A schema as a reader wants it named: `string (date-time)`, `array of Appointment`, ..."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#schema-{escape(name)}">{escape(name.rsplit(".", 1)[-1])}</a>'
    if "allOf" in schema:
        return _type_label(schema["allOf"][0])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type_label(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {_type_label(schema['additionalProperties'])}"
    label = escape(str(kind)) + (f" ({escape(schema['format'])})" if "format" in schema else "")
    if "maxLength" in schema:
        label += f", at most {schema['maxLength']} characters"
    if "maxItems" in schema:
        label += f", at most {schema['maxItems']} items"
    return label


def _fields_table(properties: dict[str, Schema]) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(name)}</code></td><td>{_type_label(schema)}</td>"
        f"<td>{escape(schema.get('description', ''))}</td></tr>"
        for name, schema in properties.items()
    )
    return f"<table><tr><th>field</th><th>type</th><th>meaning</th></tr>{rows}</table>" if rows else "<p>none</p>"


def html(spec: dict[str, Any]) -> str:
    """The docs page: every operation by service, then every schema; one file, no scripts, no fonts."""
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(spec['info']['title'])} REST API</title>",
        "<meta name=viewport content='width=device-width, initial-scale=1'>",
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:auto;padding:1rem 2rem;color:#222}"
        "code{background:#f3f3f3;padding:0 .2em}table{border-collapse:collapse;margin:.5rem 0}"
        "td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}"
        ".op{border-left:4px solid #888;padding:.2rem 1rem;margin:1.2rem 0}"
        ".verb{font-weight:700;text-transform:uppercase}"
        ".get{border-color:#2a7}.post{border-color:#27c}.put,.patch{border-color:#c80}.delete{border-color:#c33}"
        "pre{white-space:pre-wrap}</style></head><body>",
        f"<h1>{escape(spec['info']['title'])} REST API</h1><p>{escape(spec['info']['description'])}</p>",
        "<p>The machine-readable document: <a href=openapi.json><code>/openapi.json</code></a> (OpenAPI "
        f"{escape(spec['openapi'])}). Send <code>Authorization: Bearer &lt;access token&gt;</code> unless an "
        "operation says it is public. Every error has the shape of <a href=#schema-Error>Error</a>.</p>",
        "<nav><ul>",
        *(f"<li><a href='#tag-{escape(tag['name'])}'>{escape(tag['name'])}</a></li>" for tag in spec["tags"]),
        "<li><a href=#schemas>Schemas</a></li></ul></nav>",
    ]
    for tag in spec["tags"]:
        parts.append(f"<h2 id='tag-{escape(tag['name'])}'>{escape(tag['name'])}</h2>")
        parts.append(f"<p>{escape(tag.get('description', ''))}</p>")
        for path, operations in spec["paths"].items():
            for verb, operation in operations.items():
                if tag["name"] in operation["tags"]:
                    parts.append(_operation_html(path, verb, operation))
    parts.append("<h2 id=schemas>Schemas</h2>")
    for name, schema in spec["components"]["schemas"].items():
        parts.append(f"<h3 id='schema-{escape(name)}'>{escape(name)}</h3>")
        parts.append(f"<pre>{escape(schema.get('description', ''))}</pre>")
        if "enum" in schema:
            parts.append("<p>one of " + ", ".join(f"<code>{escape(v)}</code>" for v in schema["enum"]) + "</p>")
        else:
            parts.append(_fields_table(schema.get("properties", {})))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _operation_html(path: str, verb: str, operation: dict[str, Any]) -> str:
    public = operation.get("security") == []
    parameters = {
        f"{p['name']} ({p['in']})": {**p["schema"], "description": p.get("description", "")}
        for p in operation["parameters"]
    }
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    reply = operation["responses"]["200"]["content"]
    reply_schema = next(iter(reply.values()))["schema"]
    errors = ", ".join(status for status in operation["responses"] if status not in ("200", "default"))
    return "".join(
        [
            f"<div class='op {verb}' id='{escape(operation['operationId'])}'>",
            f"<p><span class=verb>{verb}</span> <code>{escape(path)}</code> {'(public)' if public else ''}</p>",
            f"<pre>{escape(operation.get('description', operation['summary']))}</pre>",
            f"<p>gRPC: <code>{escape(operation['x-grpc-method'])}</code></p>",
            f"<h4>Parameters</h4>{_fields_table(parameters)}" if parameters else "",
            "<h4>Body</h4>"
            + (_fields_table(body["properties"]) if body and "properties" in body else f"<p>{_type_label(body)}</p>")
            if body
            else "",
            f"<h4>Reply</h4><p>200: {_type_label(reply_schema)}; errors {errors} and others as "
            "<a href=#schema-Error>Error</a></p></div>",
        ]
    )
