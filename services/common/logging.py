"""Structured JSON-lines logging with the service name, request id, user id and trace of the current call."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from opentelemetry import trace

from services.common.context import principal_var, request_id_var

_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields given to a log call are included as they are."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["requestId"] = request_id
        principal = principal_var.get()
        if principal is not None:
            entry["userId"] = str(principal.user_id)
        span = trace.get_current_span()
        if span.is_recording():
            # As OTLP and the W3C header write them, so a line is found from its trace and back.
            context = span.get_span_context()
            entry["traceId"] = trace.format_trace_id(context.trace_id)
            entry["spanId"] = trace.format_span_id(context.span_id)
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library chatter stays at WARNING so the service's own lines are readable.
    for noisy in ("sqlalchemy", "alembic", "nats", "asyncio", "grpc"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
