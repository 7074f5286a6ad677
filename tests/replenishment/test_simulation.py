"""simulate() against traces computed by hand with constant-demand forecasters."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from replenishment import ReplenishmentInputError
from replenishment.simulation import SUMMARY_COLUMNS, TRACE_COLUMNS, simulate


def history(
    units: list[float] | float = 10.0, days: int = 30, start: str = "2024-01-01", **features: object
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"sku": "A", "location": "X", "date": pd.date_range(start, periods=days), "units": units}
    )
    return frame.assign(**features)


def policy(**overrides: object) -> pd.DataFrame:
    row = {
        "sku": "A",
        "location": "X",
        "lead_time_days": 2,
        "review_period_days": 3,
        "service_level": 0.95,
    }
    row.update(overrides)
    return pd.DataFrame([row])


def constant(level: float = 10.0, seen: list[pd.Timestamp] | None = None):
    def forecaster(past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        if seen is not None:
            seen.append(pd.Timestamp(past["date"].max()))
            seen.append(pd.Timestamp(future["date"].min()))
        return future[["sku", "location", "date"]].assign(
            mean=level, p10=level, p50=level, p90=level
        )

    return forecaster


def test_steady_constant_demand_is_served_fully() -> None:
    result = simulate(history(), policy(), constant(), start=date(2024, 1, 11))
    trace = result.trace
    assert list(trace.columns) == TRACE_COLUMNS and len(trace) == 20
    # S = 10 x (2 + 3) = 50 at the start; reviews on days 0, 3, 6, ... order 30, arriving 2 days on
    assert trace["on_hand_end"].tolist()[:9] == [40, 30, 20, 10, 0, 20, 10, 0, 20]
    assert trace["ordered"].tolist()[:9] == [0, 0, 0, 30, 0, 0, 30, 0, 0]
    assert trace["received"].tolist()[:9] == [0, 0, 0, 0, 0, 30, 0, 0, 30]
    assert trace["on_order_end"].tolist()[:6] == [0, 0, 0, 30, 30, 0]
    summary = result.summary.set_index("sku")
    assert list(result.summary.columns) == SUMMARY_COLUMNS
    assert summary.loc["ALL", "fill_rate"] == 1.0 and summary.loc["ALL", "stockout_days"] == 0


def test_unmet_demand_is_lost_and_negative_units_count_as_zero() -> None:
    units = [10.0] * 30
    units[12] = 45.0  # spike on 2024-01-13, day 2 of the run
    units[13] = -5.0  # a return: demand 0
    result = simulate(
        history(units), policy(), constant(), start=date(2024, 1, 11), end=date(2024, 1, 16)
    )
    trace = result.trace
    assert trace["demand"].tolist() == [10, 10, 45, 0, 10, 10]
    # stock 50 -> 40 -> 30 -> serve 30 of 45 (15 lost) -> 0; day 3 orders 50 (arrives day 5)
    assert trace["served"].tolist() == [10, 10, 30, 0, 0, 10]
    assert trace["lost"].tolist() == [0, 0, 15, 0, 10, 0]
    assert trace["ordered"].tolist()[3] == 50
    summary = result.summary.set_index("sku")
    assert summary.loc["A", "fill_rate"] == pytest.approx(60 / 85)
    assert summary.loc["A", "stockout_days"] == 2


def test_perishable_units_expire_oldest_first() -> None:
    pol = policy(lead_time_days=1, review_period_days=1, shelf_life_days=3, initial_on_hand=50)
    trace = simulate(
        history(), pol, constant(), start=date(2024, 1, 11), end=date(2024, 1, 18)
    ).trace
    assert trace["spoiled"].tolist() == [0, 0, 0, 20, 0, 0, 0, 0]
    assert trace["lost"].tolist() == [0, 0, 0, 10, 0, 0, 0, 0]
    assert trace["ordered"].tolist() == [0, 0, 0, 20, 0, 10, 10, 10]
    assert trace["on_hand_end"].tolist() == [40, 30, 20, 0, 10, 0, 0, 0]


def test_pack_size_and_moq_apply_to_simulated_orders() -> None:
    trace = simulate(
        history(), policy(pack_size=12, moq=36), constant(), start=date(2024, 1, 11)
    ).trace
    orders = trace.loc[trace["ordered"] > 0, "ordered"]
    assert len(orders) > 0 and (orders % 12 == 0).all() and (orders >= 36).all()


def test_forecaster_sees_only_history_before_the_review_day() -> None:
    seen: list[pd.Timestamp] = []
    simulate(
        history(), policy(), constant(seen=seen), start=date(2024, 1, 11), end=date(2024, 1, 20)
    )
    pairs = list(zip(seen[::2], seen[1::2], strict=True))
    assert pairs and all(last < first_future for last, first_future in pairs)
    assert all(first_future - last == pd.Timedelta(days=1) for last, first_future in pairs)


def test_weekly_history_steps_by_its_own_dates() -> None:
    weekly = pd.DataFrame(
        {
            "sku": "A",
            "location": "X",
            "date": pd.date_range("2024-01-05", periods=20, freq="7D"),
            "units": 70.0,
        }
    )
    pol = policy(lead_time_days=14, review_period_days=7)
    result = simulate(weekly, pol, constant(70.0), start=date(2024, 3, 1))
    trace = result.trace
    assert len(trace) == 12  # weekly dates from 2024-03-01 to the last history date
    # S = 70 / 7 x 21 days = 210; each week orders 70 arriving two weeks later
    assert trace["on_hand_end"].iloc[0] == 140
    assert result.summary.set_index("sku").loc["ALL", "fill_rate"] == 1.0
    assert (trace["ordered"].iloc[1:] == 70).all()


def test_bad_simulation_input_is_reported() -> None:
    with pytest.raises(ReplenishmentInputError, match="history: missing required column 'units'"):
        simulate(history().drop(columns="units"), policy(), constant(), start=date(2024, 1, 2))
    with pytest.raises(ReplenishmentInputError, match="before start"):
        simulate(history(), policy(), constant(), start=date(2024, 1, 9), end=date(2024, 1, 2))
    with pytest.raises(ReplenishmentInputError, match="pack_size must be > 0"):
        simulate(history(), policy(pack_size=0), constant(), start=date(2024, 1, 2))


def test_features_are_passed_to_the_forecaster_for_the_horizon() -> None:
    hist = history(on_promo=np.r_[np.zeros(20), np.ones(10)])
    frames: list[pd.DataFrame] = []

    def forecaster(past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        frames.append(future)
        return future[["sku", "location", "date"]].assign(mean=10.0, p10=10.0, p90=10.0)

    simulate(hist, policy(), forecaster, start=date(2024, 1, 19), end=date(2024, 1, 25))
    first = frames[0].set_index("date")["on_promo"]
    assert first.loc["2024-01-19"] == 0 and first.loc["2024-01-21"] == 1


@pytest.mark.parametrize(
    ("overrides", "days"),
    [
        ({}, 5),  # L + R = 2 + 3 days: the protection interval, no more
        ({"review_period_days": 0}, 3),  # R = 0 (review daily) protects L + 1 day
        ({"order_days": "Mon,Thu"}, 12),  # R is up to 7 days to the next order day: + 7
    ],
)
def test_forecaster_is_asked_for_the_protection_interval(
    overrides: dict[str, object], days: int
) -> None:
    horizons: list[int] = []

    def forecaster(past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        horizons.append(len(future))
        return future[["sku", "location", "date"]].assign(mean=10.0, p10=10.0, p90=10.0)

    simulate(history(), policy(**overrides), forecaster, start=date(2024, 1, 20))
    assert horizons and set(horizons) == {days}


def test_weekly_file_of_sale_weeks_only_is_simulated_every_week() -> None:
    """Mondays listed only when they sold (6 of the 19 weeks from 2024-03-04 on): with freq "W"
    every Monday is a simulated week, the unlisted ones selling 0, and on each review the
    forecaster's history runs to the week before it (a 0-unit row added, the feature
    carried on from the series' last row), so its forecast starts at the review week. With
    the history's own dates the review weeks were the listed ones, weeks apart."""
    mondays = pd.date_range("2024-01-01", periods=30, freq="7D")
    sold = mondays[:10].append(mondays[[12, 15, 16, 21, 27]])
    weekly = pd.DataFrame(
        {"sku": "A", "location": "X", "date": sold, "units": 70.0, "on_promo": 1.0}
    )
    pasts: list[pd.DataFrame] = []

    def recording(past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        pasts.append(past)
        assert future["date"].min() - past["date"].max() == pd.Timedelta(days=7)
        return constant(70.0)(past, future)

    pol = policy(lead_time_days=14, review_period_days=7)
    result = simulate(weekly, pol, recording, start=date(2024, 3, 4), freq="W")
    trace = result.trace
    expected = pd.date_range("2024-03-04", mondays[27], freq="7D")
    assert pd.to_datetime(trace["date"]).tolist() == expected.tolist()
    assert trace["demand"].tolist() == [70.0 if d in sold else 0.0 for d in expected]
    by_last = {p["date"].max(): p for p in pasts}
    assert set(by_last) == set(expected - pd.Timedelta(days=7))  # a review every week
    # reviewing 2024-04-29 (week 17): the last sale was week 16, the history as listed (13
    # rows); reviewing 2024-05-06: a 0-unit row for 2024-04-29 is added, on_promo carried on
    assert len(by_last[mondays[16]]) == 13
    added = by_last[mondays[17]].iloc[13:]
    assert added[["date", "units", "on_promo"]].values.tolist() == [[mondays[17], 0.0, 1.0]]
