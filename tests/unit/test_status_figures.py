"""What `pulseone status` makes of a service's metrics."""

from __future__ import annotations

from scripts.metrics import errors, totals

SCRAPED = """\
# TYPE pulseone_grpc_requests_total counter
pulseone_grpc_requests_total{service="appointments",method="/a/Book",code="OK"} 7.0
pulseone_grpc_requests_total{service="appointments",method="/a/Book",code="FAILED_PRECONDITION"} 2.0
pulseone_grpc_requests_total{service="auth",method="/b/Login",code="UNAUTHENTICATED"} 5.0
# TYPE pulseone_outbox_backlog gauge
pulseone_outbox_backlog{service="appointments"} 3.0
# TYPE pulseone_db_pool_connections gauge
pulseone_db_pool_connections{service="appointments",state="in_use"} 1.0
pulseone_db_pool_connections{service="appointments",state="idle"} 4.0
"""


def test_a_services_series_are_summed_over_their_other_labels() -> None:
    found = totals(SCRAPED, "appointments")
    assert found["pulseone_grpc_requests_total"] == 9
    assert found["pulseone_outbox_backlog"] == 3
    assert found["pulseone_db_pool_connections"] == 5


def test_errors_are_the_calls_not_answered_ok_of_that_service_only() -> None:
    assert errors(SCRAPED, "appointments") == 2
    assert errors(SCRAPED, "auth") == 5
