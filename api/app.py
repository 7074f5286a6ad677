"""The FastAPI application factory.

`create_app(settings_or_database_url)` builds a new app with its own engine, metrics registry and
plan-run launcher; nothing is created at import time. `uvicorn --factory api.app:app_from_env`
builds one from the environment's settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.limits import BodySizeLimitMiddleware
from api.metrics import MetricsMiddleware, make_metrics
from api.page_cache import PageCache
from api.plan_launcher import PlanLauncher
from api.routes import analyst, data, health, keys, planner, warehouse
from storage.db import make_engine
from supplycast.plan_steps.inputs import parameters_from_settings
from supplycast.settings import Settings, load_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"

PlanRunner = Callable[..., Any]
"""`run_plan(database_url, as_of, *, progress=None)` from `supplycast.daily_plan`."""


def create_app(
    settings_or_database_url: Settings | str,
    *,
    plan_runner: PlanRunner | None = None,
) -> FastAPI:
    """A new API app on the given settings (or just a database URL, other settings default).

    Args:
        settings_or_database_url: `Settings`, or a database URL string.
        plan_runner: what `POST /v1/plan-runs` runs in a background thread; default
            `supplycast.daily_plan.run_plan`, imported when first needed.
    """
    if isinstance(settings_or_database_url, str):
        settings = Settings(database_url=settings_or_database_url)
    else:
        settings = settings_or_database_url
    engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
    metrics = make_metrics(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.plan_launcher.wait(timeout_seconds=5.0)
        engine.dispose()

    app = FastAPI(
        title="supplycast",
        version="1",
        summary="Daily plans: forecasts, replenishment suggestions, allocations and routes.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.metrics = metrics
    app.state.static_dir = STATIC_DIR
    app.state.page_cache = PageCache()
    app.state.plan_launcher = PlanLauncher(
        database_url=settings.database_url,
        runner=plan_runner,
        metrics=metrics,
        parameters=None if plan_runner is not None else parameters_from_settings(settings),
    )
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_upload_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.include_router(health.router)
    app.include_router(warehouse.router)
    app.include_router(planner.router)
    app.include_router(analyst.router)
    app.include_router(data.router)
    app.include_router(keys.router)
    app.include_router(planner.page_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def app_from_env() -> FastAPI:
    """The app on the settings read from the environment (for `uvicorn --factory`)."""
    return create_app(load_settings())
