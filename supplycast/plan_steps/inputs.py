"""Planning inputs of the daily plan: parameters and the input frames as of a date.

Dating convention: a plan **as of D** is made after the close of day D. It sees sales with
`date <= D`, the latest inventory count with `as_of <= D`, purchase orders still expected
after D, weather observed up to D and forecast after D. Its forecasts start on D + 1, its
orders are placed, shipments shipped and routes driven on D + 1 (the "plan date").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from supplycast.plan_steps.defaults import DAILY_FORECAST_MODELS
from supplycast.plan_steps.service_targets import check_service_options, parse_service_targets
from supplycast.settings import Settings

INPUT_KINDS = (
    "items",
    "locations",
    "lanes",
    "supply",
    "sales",
    "weather",
    "promotions",
    "inventory",
    "purchase_orders",
)


@dataclass(frozen=True)
class FleetParameters:
    """Trucks every shipping site runs on the plan date (same fleet at each site).

    Units: capacity in item units per truck, times `HH:MM`, cost per truck used, speed km/h,
    service minutes per stop. The routing solver of one shipping site gets
    `min(time_limit_seconds, max(1, seconds_per_stop * stops))` seconds (see
    `route_time_limit`): a site sending to two stops needs no 5 s search.
    """

    vehicles_per_depot: int = 4
    capacity_units: float = 5000.0
    shift_start: str = "06:00"
    shift_end: str = "18:00"
    fixed_cost: float = 100.0
    speed_kmh: float = 40.0
    service_minutes: float = 20.0
    time_limit_seconds: float = 5.0
    seconds_per_stop: float = 0.5

    def __post_init__(self) -> None:
        if self.vehicles_per_depot < 1:
            raise ValueError("vehicles_per_depot must be >= 1")
        if self.capacity_units <= 0:
            raise ValueError("capacity_units must be > 0")
        if not float(self.capacity_units).is_integer():
            # stops carry whole units (allocations are integral); the router rejects fractions
            raise ValueError("capacity_units must be a whole number of units")
        if _minutes(self.shift_end) <= _minutes(self.shift_start):
            raise ValueError("shift_end must be after shift_start")
        if self.speed_kmh <= 0 or self.service_minutes < 0 or self.time_limit_seconds <= 0:
            raise ValueError("speed_kmh and time_limit_seconds must be > 0, service_minutes >= 0")
        if self.seconds_per_stop <= 0:
            raise ValueError("seconds_per_stop must be > 0")

    def route_time_limit(self, stops: int) -> float:
        """Solver seconds for one site with `stops` stops: min(limit, max(1, per stop x stops))."""
        return min(self.time_limit_seconds, max(1.0, self.seconds_per_stop * stops))


def daily_history(sales: pd.DataFrame) -> pd.DataFrame:
    """`sku, location, date, units`: sales summed per sku x location x day (returns stay
    negative); the forecast step's history and the replenish step's classes read it."""
    return sales.groupby(["sku", "location", "date"], as_index=False)["units"].sum()


@dataclass(frozen=True)
class PlanParameters:
    """Knobs of the daily plan, as plain values (the shell reads them from settings).

    - `horizon_days`: forecast horizon in days; must cover the longest protection interval
      (lead time + review period) of any policy, or replenishment sees too little demand.
    - `service_level`: target fill rate (fraction 0-1) of every policy (of every policy
      whose class has no target, when `service_targets` is given).
    - `service_targets`: fill rate per ABC/XYZ class key (`{"A": 0.98, "B": 0.95,
      "C": 0.9}`; keys in `service_targets.CLASS_KEYS`, the most specific key of a series
      wins: pair, ABC, XYZ); None (default) = `service_level` for every policy. Classes come
      from the plan's sales history (replenish_step.plan_classes).
    - `service_targeting`: with targets, `"group"` (default) = a class's target is the
      aggregate fill rate of the class's demand units at each echelon (fronts, regionals),
      reached at less stock than every item at the target; `"item"` = every series of the
      class at the target. Ignored without targets.
    - `min_fill_rate`: floor (fraction 0-1) on each series' implied fill rate inside a class
      group (`"group"` targeting only; at most the lowest target); None = the core's default
      (0.5, or the target when lower).
    - `quantiles`: forecast quantile levels (fractions 0-1).
    - `front_review_period_days`: fronts are replenished from their regional parent every
      this many days (1 = daily transfers).
    - `history_days`: only the last this many days of sales feed the forecast (None = all).
    - `default_shortage_cost`: cost per unit of unmet front need when the item has no price.
    - `down_locations`: sites marked down for allocation (their backup takes over).
    - `forecast_models`, `forecast_windows`: the forecaster's candidate models and backtest
      windows; default `DAILY_FORECAST_MODELS` with 1 window; None = the forecaster's own
      defaults (every candidate of each demand class, 3 windows: best accuracy, slow).
    - `forecast_selection_shrinkage`: weight (0-1) of the other series' backtest evidence in
      each series' model choice (`ForecastConfig.selection_shrinkage`: 0 = every series on
      its own backtest, 1 = one choice per candidate group); None = the core's default.
    """

    horizon_days: int = 28
    service_level: float = 0.95
    service_targets: Mapping[str, float] | None = field(default=None, hash=False)
    service_targeting: str = "group"
    min_fill_rate: float | None = None
    quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)
    front_review_period_days: float = 1.0
    history_days: int | None = 730
    default_shortage_cost: float = 1.0
    down_locations: tuple[str, ...] = ()
    forecast_models: tuple[str, ...] | None = DAILY_FORECAST_MODELS
    forecast_windows: int | None = 1
    forecast_selection_shrinkage: float | None = None
    fleet: FleetParameters = field(default_factory=FleetParameters)

    def __post_init__(self) -> None:
        if self.horizon_days < 1:
            raise ValueError("horizon_days must be >= 1")
        if not 0.0 < self.service_level < 1.0:
            raise ValueError("service_level must be a fraction strictly between 0 and 1")
        if self.service_targets is not None:  # a private copy: the dataclass is frozen
            object.__setattr__(self, "service_targets", dict(self.service_targets))
        check_service_options(self.service_targets, self.service_targeting, self.min_fill_rate)
        if not self.quantiles or any(not 0.0 < q < 1.0 for q in self.quantiles):
            raise ValueError("quantiles must be fractions strictly between 0 and 1")
        if self.front_review_period_days <= 0:
            raise ValueError("front_review_period_days must be > 0")
        if self.history_days is not None and self.history_days < 1:
            raise ValueError("history_days must be >= 1 or None")
        if self.forecast_windows is not None and self.forecast_windows < 1:
            raise ValueError("forecast_windows must be >= 1 or None")
        shrinkage = self.forecast_selection_shrinkage
        if shrinkage is not None and not 0.0 <= shrinkage <= 1.0:
            raise ValueError("forecast_selection_shrinkage must be a fraction in [0, 1] or None")
        if self.default_shortage_cost < 0:
            raise ValueError("default_shortage_cost must be >= 0")


@dataclass(frozen=True)
class PlanningInputs:
    """Everything the plan needs, as frames with the CSV column names of the data formats.

    `inventory` is the latest count per sku x location with `as_of <= as_of`
    (`sku, location, on_hand`); `purchase_orders` only those expected after `as_of`;
    `sales` only `date <= as_of` (and within `history_days`).
    """

    as_of: dt.date
    items: pd.DataFrame
    locations: pd.DataFrame
    lanes: pd.DataFrame
    supply: pd.DataFrame
    sales: pd.DataFrame
    weather: pd.DataFrame
    promotions: pd.DataFrame
    inventory: pd.DataFrame
    purchase_orders: pd.DataFrame

    @property
    def plan_date(self) -> dt.date:
        """The day the plan is executed: as_of + 1 day."""
        return self.as_of + dt.timedelta(days=1)

    def front_locations(self) -> list[str]:
        """Locations of kind `front`, sorted."""
        frame = self.locations
        return sorted(frame.loc[frame["kind"] == "front", "location"].astype(str))

    def regional_locations(self) -> list[str]:
        """Locations of kind `regional`, sorted."""
        frame = self.locations
        return sorted(frame.loc[frame["kind"] == "regional", "location"].astype(str))


def plan_parameters(
    forecast_models: str | None, forecast_windows: int | None, **knobs: Any
) -> PlanParameters:
    """`PlanParameters` from shell options: `forecast_models` is a comma-separated list, "all"
    (every candidate of each demand class, the forecaster's own defaults) or None/empty (the
    daily default, `DAILY_FORECAST_MODELS`); `forecast_windows` None = the default (1).
    `knobs` are the other `PlanParameters` fields. Raises ValueError on bad values."""
    options: dict[str, Any] = dict(knobs)
    text = (forecast_models or "").strip()
    names = [m.strip() for m in text.split(",") if m.strip()]
    _check_model_names(names)
    if text.lower() == "all":
        options["forecast_models"] = None
        options["forecast_windows"] = forecast_windows  # None = the forecaster's own
    else:
        if names:
            options["forecast_models"] = tuple(names)
        if forecast_windows is not None:
            options["forecast_windows"] = forecast_windows
    return PlanParameters(**options)


def _check_model_names(names: list[str]) -> None:
    """ValueError on a name ("all" aside) the forecasting core does not know. The core takes
    seconds to import, so it is imported only when there is a name to check; without it
    nothing is checked (the forecast step is skipped anyway)."""
    names = [m for m in names if m.lower() != "all"]
    if not names:
        return
    try:
        from forecasting.config import MODEL_NAMES
    except ImportError:
        return
    unknown = [m for m in names if m not in MODEL_NAMES]
    if unknown:
        raise ValueError(
            f"unknown forecast models {unknown}; choose from {', '.join(MODEL_NAMES)} or 'all'"
        )


def parameters_from_settings(settings: Settings) -> PlanParameters:
    """The knobs of scheduled and API-triggered runs: `SUPPLYCAST_PLAN_FORECAST_MODELS` and
    `SUPPLYCAST_PLAN_FORECAST_WINDOWS` (see `plan_parameters`),
    `SUPPLYCAST_PLAN_FORECAST_SHRINKAGE` (the selection shrinkage), the class service targets
    `SUPPLYCAST_PLAN_SERVICE_TARGETS` (`"A:0.98,B:0.95,C:0.90"`, unset = one service level),
    `SUPPLYCAST_PLAN_SERVICE_TARGETING` (group / item) and `SUPPLYCAST_PLAN_MIN_FILL_RATE`,
    the rest at their defaults."""
    return plan_parameters(
        settings.plan_forecast_models,
        settings.plan_forecast_windows,
        service_targets=parse_service_targets(settings.plan_service_targets),
        service_targeting=settings.plan_service_targeting,
        min_fill_rate=settings.plan_min_fill_rate,
        forecast_selection_shrinkage=settings.plan_forecast_shrinkage,
    )


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def read_kind(engine: Engine, kind: str, **filters: object) -> pd.DataFrame:
    """Rows of input kind `kind` with the CSV column names (`storage.frames.load_frame`).

    `filters` narrow the read (`date__le=...`); `select_planning_inputs` applies the exact cut.
    """
    from storage.frames import load_frame

    return load_frame(engine, kind, **filters)


def _as_dates(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column]).dt.normalize()
    return frame


def select_planning_inputs(
    frames: dict[str, pd.DataFrame], as_of: dt.date, parameters: PlanParameters
) -> PlanningInputs:
    """Cut the full input frames down to what is known as of `as_of` (see module docstring)."""
    cutoff = pd.Timestamp(as_of)
    sales = _as_dates(frames["sales"], ["date"])
    sales = sales[sales["date"] <= cutoff]
    if parameters.history_days is not None:
        sales = sales[sales["date"] > cutoff - pd.Timedelta(days=parameters.history_days)]
    inventory = _as_dates(frames["inventory"], ["as_of"])
    inventory = inventory[inventory["as_of"] <= cutoff]
    if len(inventory):
        latest = inventory.groupby(["sku", "location"])["as_of"].transform("max")
        inventory = inventory[inventory["as_of"] == latest]
    inventory = inventory[["sku", "location", "on_hand"]].reset_index(drop=True)
    orders = _as_dates(frames["purchase_orders"], ["expected_date"])
    orders = orders[orders["expected_date"] > cutoff]
    weather = _as_dates(frames["weather"], ["date"])
    if len(weather):
        past = (weather["date"] <= cutoff) & (weather["kind"] == "observed")
        future = (weather["date"] > cutoff) & (weather["kind"] == "forecast")
        weather = weather[past | future]
    promotions = _as_dates(frames["promotions"], ["start_date", "end_date"])
    return PlanningInputs(
        as_of=as_of,
        items=frames["items"].reset_index(drop=True),
        locations=frames["locations"].reset_index(drop=True),
        lanes=frames["lanes"].reset_index(drop=True),
        supply=frames["supply"].reset_index(drop=True),
        sales=sales.reset_index(drop=True),
        weather=weather.reset_index(drop=True),
        promotions=promotions.reset_index(drop=True),
        inventory=inventory,
        purchase_orders=orders.reset_index(drop=True),
    )


def latest_sales_date(engine: Engine) -> dt.date | None:
    """The last date with any sales row, or None when there are no sales."""
    from sqlalchemy import func

    from storage.tables import Sale

    with engine.connect() as connection:
        value = connection.execute(select(func.max(Sale.__table__.c.date))).scalar()  # type: ignore[attr-defined]
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def load_planning_inputs(
    engine: Engine, as_of: dt.date, parameters: PlanParameters
) -> PlanningInputs:
    """Read every input kind from the database and select what is known as of `as_of`."""
    filters: dict[str, dict[str, object]] = {
        "sales": {"date__le": as_of},
        "inventory": {"as_of__le": as_of},
        "purchase_orders": {"expected_date__gt": as_of},
    }
    if parameters.history_days is not None:
        filters["sales"]["date__gt"] = as_of - dt.timedelta(days=parameters.history_days)
    frames = {kind: read_kind(engine, kind, **filters.get(kind, {})) for kind in INPUT_KINDS}
    return select_planning_inputs(frames, as_of, parameters)
