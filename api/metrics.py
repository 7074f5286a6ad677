"""Prometheus metrics of one app instance: request counts and latencies, plan run durations.

Each app gets its own `CollectorRegistry` (no process-global registry), so several apps can be
created in one process (tests) without duplicate-metric errors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RUN_BUCKETS_SECONDS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)


@dataclass(frozen=True)
class ApiMetrics:
    """The metrics an app records, all in one registry."""

    registry: CollectorRegistry
    requests: Counter
    latency_seconds: Histogram
    plan_run_seconds: Histogram


def make_metrics() -> ApiMetrics:
    """A fresh registry with the API's metrics."""
    registry = CollectorRegistry()
    return ApiMetrics(
        registry=registry,
        requests=Counter(
            "supplycast_http_requests",
            "HTTP requests served, by method, route template and status code.",
            ["method", "route", "status"],
            registry=registry,
        ),
        latency_seconds=Histogram(
            "supplycast_http_request_duration_seconds",
            "Time to serve an HTTP request, in seconds, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS_SECONDS,
            registry=registry,
        ),
        plan_run_seconds=Histogram(
            "supplycast_plan_run_duration_seconds",
            "Wall time of plan runs started by this server (API trigger or scheduler), seconds.",
            ["status"],
            buckets=RUN_BUCKETS_SECONDS,
            registry=registry,
        ),
    )


class MetricsMiddleware:
    """Counts requests and observes latency, labelled by the matched route's path template."""

    def __init__(self, app: ASGIApp, *, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency_seconds.labels(method, template).observe(
                time.perf_counter() - started
            )
