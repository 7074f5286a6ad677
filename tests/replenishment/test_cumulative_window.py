"""Demand over the protection interval read from cumulative forecast quantiles (cum_pNN).

Hand-computed answers. The forecasts below put cum_p05 / cum_p95 at cum_mean -/+ z95 sd_k, so
the cumulative variance at the end of row k is V_k = sd_k^2 by construction.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from replenishment import ReplenishmentInputError, formulas, plan_replenishment
from supplycast.plan_steps.replenish_step import aggregate_forecasts

Z90 = stats.norm.ppf(0.9)
Z95 = stats.norm.ppf(0.95)


def daily_variance(k: np.ndarray) -> np.ndarray:
    """V_k = k^2 + 4k: between the independent (9k for the per-row sd 3) and the comonotone
    (9k^2) readings of the rows' own quantiles."""
    return k**2 + 4.0 * k


def forecast(
    sku: str = "A",
    *,
    rows: int = 28,
    mean: float = 10.0,
    start: str = "2024-01-01",
    step_days: int = 1,
    variance: np.ndarray | None = None,
    cumulative: bool = True,
) -> pd.DataFrame:
    """Rows every `step_days` days of `mean` each, per-row sd 3 (p10/p90) and, when
    `cumulative`, cum_p05/cum_p50/cum_p95 with cumulative variance `variance` (default
    daily_variance(k), k = 1..rows)."""
    k = np.arange(1, rows + 1, dtype=float)
    frame = pd.DataFrame(
        {
            "sku": sku,
            "location": "X",
            "date": pd.date_range(start, periods=rows, freq=f"{step_days}D"),
            "mean": mean,
            "p10": mean - Z90 * 3.0,
            "p50": mean,
            "p90": mean + Z90 * 3.0,
            "model": "AutoETS",
        }
    )
    if cumulative:
        cum_sd = np.sqrt(daily_variance(k) if variance is None else variance)
        frame["cum_p05"] = mean * k - Z95 * cum_sd
        frame["cum_p50"] = mean * k
        frame["cum_p95"] = mean * k + Z95 * cum_sd
    return frame


def inventory(skus: tuple[str, ...] = ("A",)) -> pd.DataFrame:
    return pd.DataFrame({"sku": list(skus), "location": "X", "on_hand": 20.0, "on_order": 5.0})


def policy(skus: tuple[str, ...] = ("A",), **overrides: object) -> pd.DataFrame:
    row: dict[str, object] = {
        "location": "X",
        "lead_time_days": 3,
        "review_period_days": 7,
        "service_level": 0.95,
        "service_type": "cycle",
    }
    row.update(overrides)
    return pd.DataFrame([{"sku": sku, **row} for sku in skus])


def plan(fc: pd.DataFrame, skus: tuple[str, ...] = ("A",), **kwargs: object) -> pd.DataFrame:
    as_of = kwargs.pop("as_of", None)
    error_correlation = float(kwargs.pop("error_correlation", 1.0))  # type: ignore[arg-type]
    lost_sales = bool(kwargs.pop("lost_sales", True))
    return plan_replenishment(
        fc,
        inventory(skus),
        policy(skus, **kwargs),
        details=True,
        as_of=as_of,  # type: ignore[arg-type]
        error_correlation=error_correlation,
        lost_sales=lost_sales,
    ).set_index("sku")


# V_3 = 9 + 12 = 21, V_10 = 100 + 40 = 140 (daily rows, L = 3, P = 10)
SIGMA_L, SIGMA_P = math.sqrt(21.0), math.sqrt(140.0)


@pytest.mark.parametrize("rho", [1.0, 0.0])
def test_daily_cycle_service_reads_sigma_from_the_cumulative_quantiles(rho: float) -> None:
    row = plan(forecast(), error_correlation=rho).loc["A"]
    assert row.sigma_protection == pytest.approx(SIGMA_P)  # whatever error_correlation says
    assert row.sigma_source == "cumulative_quantiles"
    assert row.demand_over_protection == pytest.approx(100.0)
    assert row.safety_stock == pytest.approx(Z95 * SIGMA_P)
    assert row.order_up_to == pytest.approx(100.0 + Z95 * SIGMA_P)
    assert row.reorder_point == pytest.approx(30.0 + Z95 * SIGMA_L)
    assert row.order_qty == math.ceil(100.0 + Z95 * SIGMA_P - 25.0)
    assert "no_quantiles" not in row["flags"].split(";")


def test_without_cumulative_columns_the_same_frame_takes_the_correlation_path() -> None:
    row = plan(forecast(cumulative=False)).loc["A"]
    # rho = 1: ten daily sds of 3 add to 30; three to 9 (not sqrt(140), sqrt(21))
    assert row.sigma_protection == pytest.approx(30.0)
    assert row.sigma_source == "error_correlation"
    assert row.order_up_to == pytest.approx(100.0 + Z95 * 30.0)
    assert row.reorder_point == pytest.approx(30.0 + Z95 * 9.0)


def test_daily_fill_rate_uses_the_cumulative_sigmas_in_the_lost_sales_model() -> None:
    row = plan(forecast(), service_type="fill_rate").loc["A"]
    # mu_P 100, mu_L 30, mu_R 70; D_R's variance is sigma_P^2 - sigma_L^2 = 119 (L = 3 < R = 7)
    level = formulas.rs_order_up_to_for_fill_rate_lost_sales(
        100.0, SIGMA_P, 30.0, SIGMA_L, 70.0, 0.95, short_lead=True
    )
    assert row.order_up_to == pytest.approx(float(level))
    assert row.z == pytest.approx((float(level) - 100.0) / SIGMA_P)
    assert row.safety_stock == pytest.approx(float(level) - 100.0)
    rho_path = plan(forecast(cumulative=False), service_type="fill_rate").loc["A"]
    assert abs(rho_path.order_up_to - row.order_up_to) > 1.0


def test_fill_rate_with_lead_time_variability_adds_it_to_the_cumulative_variance() -> None:
    row = plan(forecast(), service_type="fill_rate", lead_time_std_days=2.0).loc["A"]
    # d = mu_P / P = 10 units a day: sigma^2 = V + d^2 sd_L^2 = V + 400 (backorder formula)
    sigma_p, sigma_l = math.sqrt(140.0 + 400.0), math.sqrt(21.0 + 400.0)
    level = formulas.rs_order_up_to_for_fill_rate(100.0, sigma_p, 30.0, sigma_l, 70.0, 0.95)
    assert row.sigma_protection == pytest.approx(sigma_p)
    assert row.order_up_to == pytest.approx(float(level), abs=1e-6)


def test_weekly_rows_interpolate_the_variance_inside_a_row() -> None:
    # weekly rows of 70; cumulative sds 7, 12, 15, 18 -> V = 49, 144, 225, 324
    fc = forecast(rows=4, mean=70.0, step_days=7, variance=np.array([49.0, 144.0, 225.0, 324.0]))
    row = plan(fc).loc["A"]
    # P = 10 days: week 1 whole (49) + 3/7 of week 2's step (144 - 49) = 89.714...
    var_p = 49.0 + 3.0 / 7.0 * 95.0
    # L = 3 days: 3/7 of week 1's step from 0
    var_l = 3.0 / 7.0 * 49.0
    assert row.demand_over_protection == pytest.approx(100.0)
    assert row.sigma_protection == pytest.approx(math.sqrt(var_p))
    assert row.reorder_point == pytest.approx(30.0 + Z95 * math.sqrt(var_l))
    assert row.order_up_to == pytest.approx(100.0 + Z95 * math.sqrt(var_p))


def test_extrapolation_past_the_forecast_end_grows_the_cumulative_sd_linearly() -> None:
    # 5 daily rows: E = 5 days, V_E = 25 + 20 = 45; P = 10: sd = sqrt(45) x 10 / 5
    row = plan(forecast(rows=5)).loc["A"]
    assert row.demand_over_protection == pytest.approx(100.0)  # 5 x 10 + 5 days at 10 a day
    assert row.sigma_protection == pytest.approx(2.0 * math.sqrt(45.0))
    assert row.reorder_point == pytest.approx(30.0 + Z95 * SIGMA_L)  # L = 3 < E: no extension
    assert "forecast_extrapolated" in row["flags"].split(";")


def test_spoilage_window_after_the_lead_time_takes_the_variance_difference() -> None:
    # shelf life 4 days: the window [3, 7) has variance V_7 - V_3 = 77 - 21 = 56
    row = plan(forecast(), shelf_life_days=4.0).loc["A"]
    assert "perishable_cap" in row["flags"].split(";")  # order 45: 25 + 45 = mu_L + mu_shelf
    stock = max(25.0 - 30.0, 0.0) + row.order_qty
    z = (stock - 40.0) / math.sqrt(56.0)
    expected = math.sqrt(56.0) * float(formulas.standard_normal_complementary_loss(z))
    assert row.expected_spoilage == pytest.approx(expected)


@pytest.mark.parametrize("as_of", [date(2023, 12, 31), date(2024, 1, 2)])
def test_rows_not_starting_at_as_of_fall_back_to_the_correlation_path(as_of: date) -> None:
    # as_of before the first row (the cum values miss a day) or after it (they include a
    # day before as_of): the series is planned as if it had no cum columns
    with_cum = plan(forecast(), as_of=as_of).loc["A"]
    without = plan(forecast(cumulative=False), as_of=as_of).loc["A"]
    assert with_cum.sigma_source == "error_correlation"
    assert with_cum.sigma_protection == pytest.approx(without.sigma_protection)
    assert with_cum.order_up_to == pytest.approx(without.order_up_to)


def test_a_row_without_cumulative_values_sends_its_series_to_the_correlation_path() -> None:
    fc = forecast()
    fc.loc[5, "cum_p95"] = np.nan
    row = plan(fc).loc["A"]
    assert row.sigma_source == "error_correlation"
    assert row.sigma_protection == pytest.approx(30.0)


def test_mixed_frame_chooses_per_series() -> None:
    no_cum = forecast("B")
    no_cum[["cum_p05", "cum_p50", "cum_p95"]] = np.nan
    late = forecast("C", start="2024-01-02")  # starts a day after as_of
    fc = pd.concat([forecast("A"), no_cum, late], ignore_index=True)
    result = plan(fc, skus=("A", "B", "C"))
    assert list(result.sigma_source) == [
        "cumulative_quantiles",
        "error_correlation",
        "error_correlation",
    ]
    assert result.loc["A", "sigma_protection"] == pytest.approx(SIGMA_P)
    assert result.loc["B", "sigma_protection"] == pytest.approx(30.0)
    # C: its 9 rows inside [as_of, as_of + 10) with sds of 3 add (rho = 1) to 27
    assert result.loc["C", "sigma_protection"] == pytest.approx(27.0)


def test_non_numeric_cumulative_value_is_an_input_error() -> None:
    fc = forecast()
    fc["cum_p05"] = fc["cum_p05"].astype(object)
    fc.loc[2, "cum_p05"] = "lots"
    with pytest.raises(ReplenishmentInputError, match=r"row 3 .*column 'cum_p05' is not a number"):
        plan(fc)


def test_aggregate_forecasts_sums_cumulative_variances_across_fronts() -> None:
    days = pd.date_range("2025-01-04", periods=3, freq="D")
    k = np.arange(1, 4, dtype=float)
    parts = []
    for location, mean, cum_sd in (("F1", 10.0, 2.0 * k), ("F2", 20.0, 3.0 * k)):
        parts.append(
            pd.DataFrame(
                {
                    "sku": "A",
                    "location": location,
                    "date": days,
                    "mean": mean,
                    "p10": mean - Z90,
                    "p90": mean + Z90,
                    "cum_p05": mean * k - Z95 * cum_sd,
                    "cum_p95": mean * k + Z95 * cum_sd,
                    "model": "m",
                }
            )
        )
    forecasts = pd.concat(parts, ignore_index=True)
    groups = pd.DataFrame({"sku": ["A", "A"], "location": ["F1", "F2"], "target": ["R1", "R1"]})
    out = aggregate_forecasts(forecasts, groups)
    assert list(out.columns) == [
        "sku", "location", "date", "mean", "p10", "p90", "cum_p05", "cum_p95", "model"
    ]  # fmt: skip
    # cumulative mean 30 k (running sum of the regional mean 30); variance 4k^2 + 9k^2 = 13k^2
    assert out["mean"].tolist() == pytest.approx([30.0, 30.0, 30.0])
    assert out["cum_p95"].tolist() == pytest.approx(list(30 * k + Z95 * math.sqrt(13) * k))
    assert out["cum_p05"].tolist() == pytest.approx(list(30 * k - Z95 * math.sqrt(13) * k))

    # a front missing a date: the group's cum values are not available
    gap = aggregate_forecasts(forecasts.drop(index=4), groups)
    assert gap[["cum_p05", "cum_p95"]].isna().all().all()
    assert gap["mean"].tolist() == pytest.approx([30.0, 10.0, 30.0])
    # a front missing one cum value: the same
    blank = forecasts.assign(cum_p95=forecasts["cum_p95"].where(forecasts.index != 0))
    assert aggregate_forecasts(blank, groups)[["cum_p05", "cum_p95"]].isna().all().all()
    # no symmetric cum pair (only the lower one): the cum columns are dropped
    lower_only = aggregate_forecasts(forecasts.drop(columns="cum_p95"), groups)
    assert not [c for c in lower_only.columns if c.startswith("cum_")]


def test_aggregated_cumulative_quantiles_plan_from_the_cumulative_path() -> None:
    # the regional forecast built above feeds the engine's cumulative reading directly
    days = pd.date_range("2024-01-01", periods=28, freq="D")
    k = np.arange(1, 29, dtype=float)
    parts = [forecast("A", variance=daily_variance(k)).assign(location=loc) for loc in ("F1", "F2")]
    groups = pd.DataFrame({"sku": ["A", "A"], "location": ["F1", "F2"], "target": ["X", "X"]})
    regional = aggregate_forecasts(pd.concat(parts, ignore_index=True), groups)
    assert (regional["date"].to_numpy() == days.to_numpy()).all()
    row = plan(regional).loc["A"]
    # two fronts of V_10 = 140 each: 280; mean 200 over P
    assert row.demand_over_protection == pytest.approx(200.0)
    assert row.sigma_protection == pytest.approx(math.sqrt(280.0))
    assert row.sigma_source == "cumulative_quantiles"


def test_crossing_quantiles_are_an_input_error_naming_the_row() -> None:
    """p10 above p90 (or cum_p05 above cum_p95) is a broken forecast: its band would be
    negative and the safety stock with it. Equal quantiles (p10 = p50 = 0) are fine."""
    fc = forecast()
    fc.loc[4, "p10"] = fc.loc[4, "p90"] + 1.0
    with pytest.raises(
        ReplenishmentInputError,
        match=r"forecasts row 5 \(line 6\) \(sku=A, location=X\): quantiles must not fall as"
        r" the level rises \(p10=14\.84\d*, p50=10, p90=13\.84\d*\)",
    ):
        plan(fc)
    fc = forecast()
    fc.loc[2, "cum_p95"] = fc.loc[2, "cum_p05"] - 1.0
    with pytest.raises(ReplenishmentInputError, match=r"row 3 .*cum_p05=.*cum_p95="):
        plan(fc)
    fc = forecast()
    fc[["p10", "p50"]] = 0.0  # a slow mover: equal quantiles
    fc.loc[1, "p90"] = np.nan  # a blank is not a crossing
    assert len(plan(fc)) == 1
