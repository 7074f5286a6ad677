"""Prometheus metrics of one app instance: request counts and latencies, plan run durations.

Each app gets its own `CollectorRegistry` (no process-global registry), so several apps can be
created in one process (tests) without duplicate-metric errors.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storage.plan_tables import PlanRun

LATENCY_BUCKETS_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RUN_BUCKETS_SECONDS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)


@dataclass(frozen=True)
class ApiMetrics:
    """The metrics an app records, all in one registry."""

    registry: CollectorRegistry
    requests: Counter
    latency_seconds: Histogram
    plan_run_seconds: Histogram


class PlanRunCollector(Collector):
    """Reads plan runs from the database at scrape time, so runs of any process (CLI,
    scheduler, API) show: wall time of the newest finished run per status, and the seconds of
    each step of the newest published run."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Any]:
        last = GaugeMetricFamily(
            "supplycast_plan_run_last_duration_seconds",
            "Wall time of the newest finished plan run of each status, seconds.",
            labels=["status"],
        )
        steps = GaugeMetricFamily(
            "supplycast_plan_run_step_seconds",
            "Seconds per step of the newest published plan run.",
            labels=["step", "outcome"],
        )
        try:
            with Session(self.engine) as session:
                for status in ("published", "failed"):
                    run = session.exec(
                        select(PlanRun)
                        .where(PlanRun.status == status, PlanRun.finished_at.is_not(None))  # type: ignore[union-attr]
                        .order_by(PlanRun.id.desc())  # type: ignore[union-attr]
                        .limit(1)
                    ).first()
                    if run is not None and run.finished_at is not None:
                        seconds = (run.finished_at - run.started_at).total_seconds()
                        last.add_metric([status], max(seconds, 0.0))
                        if status == "published":
                            for name, info in (run.steps or {}).items():
                                if isinstance(info, dict) and "seconds" in info:
                                    steps.add_metric(
                                        [name, str(info.get("status", ""))], float(info["seconds"])
                                    )
        except SQLAlchemyError:
            return  # database down: /healthz says so; no plan-run samples this scrape
        yield last
        yield steps


def make_metrics(engine: Engine | None = None) -> ApiMetrics:
    """A fresh registry with the API's metrics (plus plan runs read from `engine`, if given)."""
    registry = CollectorRegistry()
    if engine is not None:
        registry.register(PlanRunCollector(engine))
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
