"""What-if changes to the planning inputs: a promotion, a heat wave, a supplier delay, an outage.

Each change is a frozen dataclass with `apply(inputs, parameters) -> (inputs, parameters)`
returning new objects (the originals are never modified). Inputs are
`supplycast.plan_steps.inputs.PlanningInputs` (frames with the CSV column names, dates as
normalized pandas timestamps) and `PlanParameters`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Protocol

import pandas as pd

from supplycast.plan_steps.inputs import PlanningInputs, PlanParameters


class Change(Protocol):
    """One what-if change; `describe()` is a short human sentence."""

    def apply(
        self, inputs: PlanningInputs, parameters: PlanParameters
    ) -> tuple[PlanningInputs, PlanParameters]: ...

    def describe(self) -> str: ...


def _check_window(start_date: dt.date, end_date: dt.date) -> None:
    if end_date < start_date:
        raise ValueError(f"end_date {end_date} is before start_date {start_date}")


@dataclasses.dataclass(frozen=True)
class AddPromotion:
    """A promotion of `sku` from `start_date` to `end_date` (inclusive) at `discount_pct`
    percent off (0-100], at `location` or everywhere (None)."""

    sku: str
    start_date: dt.date
    end_date: dt.date
    discount_pct: float
    location: str | None = None

    def __post_init__(self) -> None:
        _check_window(self.start_date, self.end_date)
        if not 0.0 < self.discount_pct <= 100.0:
            raise ValueError(f"discount_pct must be in (0, 100], got {self.discount_pct}")

    def apply(
        self, inputs: PlanningInputs, parameters: PlanParameters
    ) -> tuple[PlanningInputs, PlanParameters]:
        if self.sku not in set(inputs.items["sku"]):
            raise ValueError(f"unknown sku {self.sku!r}")
        row = pd.DataFrame(
            {
                "sku": [self.sku],
                "location": [self.location],
                "start_date": [pd.Timestamp(self.start_date)],
                "end_date": [pd.Timestamp(self.end_date)],
                "discount_pct": [float(self.discount_pct)],
            }
        )
        promotions = pd.concat([inputs.promotions, row], ignore_index=True)
        return dataclasses.replace(inputs, promotions=promotions), parameters

    def describe(self) -> str:
        where = self.location or "all locations"
        return (
            f"promotion {self.sku} {self.discount_pct:g}% off at {where}, "
            f"{self.start_date} .. {self.end_date}"
        )


@dataclasses.dataclass(frozen=True)
class HeatWave:
    """`extra_temperature_c` degrees C added to every weather row (observed or forecast)
    from `start_date` to `end_date` (inclusive) at `locations` (empty = everywhere)."""

    start_date: dt.date
    end_date: dt.date
    extra_temperature_c: float
    locations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_window(self.start_date, self.end_date)

    def apply(
        self, inputs: PlanningInputs, parameters: PlanParameters
    ) -> tuple[PlanningInputs, PlanParameters]:
        weather = inputs.weather.copy()
        dates = pd.to_datetime(weather["date"])
        inside = (dates >= pd.Timestamp(self.start_date)) & (dates <= pd.Timestamp(self.end_date))
        if self.locations:
            inside &= weather["location"].isin(self.locations)
        weather.loc[inside, "temperature_c"] = (
            weather.loc[inside, "temperature_c"].astype(float) + self.extra_temperature_c
        )
        return dataclasses.replace(inputs, weather=weather), parameters

    def describe(self) -> str:
        where = ", ".join(self.locations) or "all locations"
        return (
            f"heat wave {self.extra_temperature_c:+g} C at {where}, "
            f"{self.start_date} .. {self.end_date}"
        )


@dataclasses.dataclass(frozen=True)
class SupplierDelay:
    """`supplier`'s lead time grows by `extra_days` (days, > 0): its supply rows' lead time, and
    the open purchase orders of the (sku, location) pairs it supplies arrive that much later."""

    supplier: str
    extra_days: int

    def __post_init__(self) -> None:
        if self.extra_days <= 0:
            raise ValueError(f"extra_days must be > 0, got {self.extra_days}")

    def apply(
        self, inputs: PlanningInputs, parameters: PlanParameters
    ) -> tuple[PlanningInputs, PlanParameters]:
        supply = inputs.supply.copy()
        affected = supply["supplier"] == self.supplier
        if not affected.any():
            raise ValueError(f"supplier {self.supplier!r} supplies nothing")
        supply.loc[affected, "lead_time_days"] = (
            supply.loc[affected, "lead_time_days"].astype(float) + self.extra_days
        )
        pairs = supply.loc[affected, ["sku", "location"]].drop_duplicates()
        orders = inputs.purchase_orders.copy()
        late = (
            orders[["sku", "location"]]
            .merge(pairs.assign(_late=1), on=["sku", "location"], how="left")["_late"]
            .notna()
            .to_numpy()
        )
        orders.loc[late, "expected_date"] = pd.to_datetime(
            orders.loc[late, "expected_date"]
        ) + pd.Timedelta(days=self.extra_days)
        return dataclasses.replace(inputs, supply=supply, purchase_orders=orders), parameters

    def describe(self) -> str:
        return f"supplier {self.supplier} delayed by {self.extra_days} days"


@dataclasses.dataclass(frozen=True)
class WarehouseOutage:
    """`location` is down on the plan date. In the allocation (docs/allocation.md) its stock
    cannot ship and its lanes are closed; a down front's needs move to its backup site."""

    location: str

    def apply(
        self, inputs: PlanningInputs, parameters: PlanParameters
    ) -> tuple[PlanningInputs, PlanParameters]:
        if self.location not in set(inputs.locations["location"]):
            raise ValueError(f"unknown location {self.location!r}")
        down = tuple(dict.fromkeys((*parameters.down_locations, self.location)))
        return inputs, dataclasses.replace(parameters, down_locations=down)

    def describe(self) -> str:
        return f"{self.location} is down"
