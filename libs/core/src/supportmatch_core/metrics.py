"""Prometheus metrics of the backbone and the HTTP layer, one set per process."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
