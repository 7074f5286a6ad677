"""The four planning cores the daily plan calls, resolved by import when they exist.

A core that cannot be imported yet (its engineer has not landed it) is `None` here with the
reason, and the daily plan records its step as skipped with that reason; it is never faked.
Tests may pass their own `PlanCores` (e.g. a core that raises, to test failure handling).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

CORE_PATHS: dict[str, tuple[str, str]] = {
    "forecast": ("forecasting", "forecast"),
    "plan_replenishment": ("replenishment", "plan_replenishment"),
    "allocate_stock": ("warehouses.allocation", "allocate_stock"),
    "plan_routes": ("warehouses.routing", "plan_routes"),
    "depot": ("warehouses.routing", "Depot"),
}


@dataclass(frozen=True)
class PlanCores:
    """Callables of the cores (None = not available; `missing` says why)."""

    forecast: Callable[..., Any] | None = None
    plan_replenishment: Callable[..., Any] | None = None
    allocate_stock: Callable[..., Any] | None = None
    plan_routes: Callable[..., Any] | None = None
    depot: Callable[..., Any] | None = None
    missing: Mapping[str, str] = field(default_factory=dict)


def _resolve(module_name: str, attribute: str) -> tuple[Any | None, str | None]:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None, f"core `{module_name}` is not built yet"
        return None, f"core `{module_name}` does not import: {exc}"
    except ImportError as exc:
        return None, f"core `{module_name}` does not import: {exc}"
    value = getattr(module, attribute, None)
    if value is None:
        return None, f"`{module_name}.{attribute}` is not built yet"
    return value, None


def resolve_cores() -> PlanCores:
    """Import every core that exists now."""
    found: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for name, (module_name, attribute) in CORE_PATHS.items():
        value, reason = _resolve(module_name, attribute)
        found[name] = value
        if reason is not None:
            missing[name] = reason
    return PlanCores(**found, missing=missing)
