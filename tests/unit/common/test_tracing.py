"""When a process traces, and what it is called in its traces."""

from __future__ import annotations

import pytest

from services.common import tracing


@pytest.mark.parametrize(
    ("environ", "endpoint"),
    [
        ({}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": " "}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}, "http://collector:4317"),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4317"}, "http://traces:4317"),
        (
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://all:4317",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4317",
            },
            "http://traces:4317",
        ),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_SDK_DISABLED": "true"}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_TRACES_EXPORTER": "none"}, None),
    ],
)
def test_traces_go_to_the_otlp_endpoint_the_environment_names_and_nowhere_otherwise(
    environ: dict[str, str], endpoint: str | None
) -> None:
    assert tracing.otlp_endpoint(environ) == endpoint
    assert tracing.wanted(environ) is (endpoint is not None)


def test_a_service_is_named_pulseone_service_unless_otel_service_name_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    named = tracing.resource("appointments", {})
    assert named.attributes["service.name"] == "pulseone-appointments"
    assert named.attributes["service.instance.id"]
    monkeypatch.setenv("OTEL_SERVICE_NAME", "bookings")
    assert tracing.resource("appointments", {"OTEL_SERVICE_NAME": "bookings"}).attributes["service.name"] == "bookings"


def test_without_an_endpoint_a_service_installs_nothing_that_traces(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in tracing.ENDPOINT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    assert tracing.configure_tracing("appointments") is None
    assert not tracing.enabled()
    assert tracing.server_interceptors() == []
    assert tracing.client_interceptors() == []
    assert tracing.producer_context("pulseone.appointments.booked", "an-event") is None
    assert tracing.current_context() is None
