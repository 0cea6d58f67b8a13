"""What `pulseone status` reads from a service's Prometheus metrics: the figures an operator looks at
first (the same series a Prometheus server scrapes)."""

from __future__ import annotations

from collections import defaultdict

import httpx
from prometheus_client.parser import text_string_to_metric_families


def totals(text: str, service: str) -> dict[str, float]:
    """Each series of `service` summed over its other labels, by sample name."""
    summed: dict[str, float] = defaultdict(float)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("service") == service:
                summed[sample.name] += sample.value
    return summed


def sample_sum(text: str, name: str, **labels: str) -> float:
    """The samples of `name` whose labels include `labels`, summed."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


def errors(text: str, service: str) -> float:
    """Calls answered with anything but OK."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "pulseone_grpc_requests_total"
        and sample.labels.get("service") == service
        and sample.labels.get("code") != "OK"
    )


def figures(service: str, url: str) -> str:
    """One line: calls, errors, outbox backlog and age, consumer lag, dead letters, pool in use."""
    try:
        text = httpx.get(url, timeout=2).text
    except httpx.HTTPError:
        return f"metrics: unreachable at {url}"
    found = totals(text, service)
    outbox, oldest = found["pulseone_outbox_backlog"], found["pulseone_outbox_oldest_age_seconds"]
    return (
        f"calls {found['pulseone_grpc_requests_total']:.0f} (not OK {errors(text, service):.0f}),"
        f" outbox {outbox:.0f} waiting (oldest {oldest:.1f} s),"
        f" consumer {found['pulseone_consumer_pending']:.0f} pending,"
        f" dead letters {found['pulseone_dead_letters_total']:.0f},"
        f" pool {found['pulseone_db_pool_connections']:.0f} open"
    )
