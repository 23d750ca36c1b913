"""Prometheus metrics of the backbone and the HTTP layer, one set per process."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["method", "route"]
)
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox events confirmed by the broker")
OUTBOX_REPUBLISHED = Counter(
    "outbox_republished_total", "Outbox events queued again because the broker cluster changed"
)
OUTBOX_PENDING = Gauge("outbox_pending", "Outbox events waiting for the broker")
RELAY_ERRORS = Counter("outbox_relay_errors_total", "Relay rounds that failed")
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events taken from Kafka", ["consumer", "outcome"]
)
CONSUMER_LAG = Gauge(
    "consumer_lag", "Messages on the consumer's partitions not yet handled", ["consumer"]
)
CONSUMER_JOIN_SECONDS = Gauge(
    "consumer_group_join_seconds",
    "Time from subscribing to the first partition assignment",
    ["consumer"],
)

# Labels come from closed sets only: a caller inventing methods or paths must not add series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD, UNMATCHED_ROUTE = "other", "unmatched"


def http_labels(scope: Scope) -> tuple[str, str]:
    """(method, route) of a request: a known method or "other", a route template or "unmatched"."""
    method = scope["method"] if scope["method"] in KNOWN_METHODS else OTHER_METHOD
    route = getattr(scope.get("route"), "path", None)
    return method, route if isinstance(route, str) else UNMATCHED_ROUTE


class MeasureRequests:
    """Counts and times every HTTP request by method, route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noted)
        finally:
            method, route = http_labels(scope)  # the router names the route as it matches it
            HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
