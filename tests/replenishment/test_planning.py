"""plan_replenishment on small hand-computed cases."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

from replenishment import SUGGESTION_COLUMNS, ReplenishmentInputError, formulas, plan_replenishment

Z90 = stats.norm.ppf(0.9)


def forecast(
    days: int = 28, mean: float = 10.0, sd: float = 3.0, start: str = "2024-01-01", **extra: object
) -> pd.DataFrame:
    """Daily forecast with p10/p90 placed so the implied normal sd is `sd`."""
    frame = pd.DataFrame(
        {
            "sku": "A",
            "location": "X",
            "date": pd.date_range(start, periods=days, freq="D"),
            "mean": mean,
            "p10": mean - Z90 * sd,
            "p50": mean,
            "p90": mean + Z90 * sd,
            "model": "AutoETS",
        }
    )
    return frame.assign(**extra)


def inventory(on_hand: float = 20.0, on_order: float = 5.0) -> pd.DataFrame:
    return pd.DataFrame(
        {"sku": ["A"], "location": ["X"], "on_hand": [on_hand], "on_order": [on_order]}
    )


def policy(**overrides: object) -> pd.DataFrame:
    row = {
        "sku": "A",
        "location": "X",
        "lead_time_days": 3,
        "review_period_days": 7,
        "service_level": 0.95,
    }
    row.update(overrides)
    return pd.DataFrame([row])


def plan(
    fc: pd.DataFrame | None = None,
    inv: pd.DataFrame | None = None,
    lost_sales: bool = False,
    error_correlation: float = 0.0,
    **pol: object,
) -> pd.Series:
    """One planned row. The textbook cases below take daily demand as i.i.d. (independent
    forecast errors), so the helper plans with error_correlation=0 unless told otherwise;
    the engine's default (1, comonotone errors) has its own tests."""
    result = plan_replenishment(
        forecast() if fc is None else fc,
        inventory() if inv is None else inv,
        policy(**pol),
        details=True,
        lost_sales=lost_sales,
        error_correlation=error_correlation,
    )
    assert list(result.columns[: len(SUGGESTION_COLUMNS)]) == SUGGESTION_COLUMNS
    return result.iloc[0]


def test_cycle_service_order_up_to_is_mean_plus_z_sigma_over_protection() -> None:
    row = plan(service_type="cycle")
    sigma = 3.0 * math.sqrt(10)
    assert row.demand_over_protection == pytest.approx(100.0)
    assert row.safety_stock == pytest.approx(stats.norm.ppf(0.95) * sigma)
    assert row.order_up_to == pytest.approx(100.0 + stats.norm.ppf(0.95) * sigma)
    assert row.reorder_point == pytest.approx(30.0 + stats.norm.ppf(0.95) * 3.0 * math.sqrt(3))
    assert row.position == 25.0
    assert row.order_qty == math.ceil(row.order_up_to - 25.0)  # whole units (pack_size 1)
    assert "stockout_risk" in row["flags"].split(";")  # 25 < 30 units of lead-time demand


def test_fill_rate_target_solves_the_loss_equation() -> None:
    row = plan(service_level=0.98, lost_sales=False)  # fill_rate is the default service type
    sigma = 3.0 * math.sqrt(10)
    # independent: sigma * L(z) = (1 - beta) * demand over the review period (70 units)
    loss = lambda z: stats.norm.pdf(z) - z * stats.norm.sf(z) - 0.02 * 70 / sigma  # noqa: E731
    z = optimize.brentq(loss, -5, 5)
    assert row.z == pytest.approx(z, abs=1e-6)
    assert row.safety_stock == pytest.approx(z * sigma, abs=1e-5)


def test_fill_rate_with_short_review_subtracts_the_shortage_at_cycle_start() -> None:
    # R = 1, L = 7: the cycle's shortage is E[(D_8 - S)^+] - E[(D_7 - S)^+] (Hadley-Whitin)
    row = plan(service_level=0.95, lead_time_days=7, review_period_days=1, lost_sales=False)
    sd8, sd7 = 3.0 * math.sqrt(8), 3.0 * math.sqrt(7)

    def shortage(level: float, mean: float, sd: float) -> float:
        return float(
            stats.norm.expect(
                lambda d: max(d - level, 0.0), loc=mean, scale=sd, lb=level, ub=mean + 12 * sd
            )
        )

    level = optimize.brentq(
        lambda s: shortage(s, 80, sd8) - shortage(s, 70, sd7) - 0.05 * 10, 60, 120, xtol=1e-10
    )
    assert row.order_up_to == pytest.approx(level, abs=1e-5)
    # the one-term approximation asks for a higher level
    z_simple = optimize.brentq(
        lambda z: stats.norm.pdf(z) - z * stats.norm.sf(z) - 0.05 * 10 / sd8, -5, 5
    )
    assert 80 + z_simple * sd8 > level + 0.05


def lost_sales_shortage_quad(
    s_level: float, mu_l: float, sd_l: float, mu_r: float, sd_r: float
) -> float:
    """E[(D_R - M)^+] of the lost-sales cycle model by scipy quad (independent of the engine):
    P(M <= m) = a c / (1 - a + a c), a = P(D_L >= S - m), c = P(D_R <= m)."""

    def integrand(m: float) -> float:
        a = stats.norm.sf(s_level - m, mu_l, sd_l)
        c = stats.norm.cdf(m, mu_r, sd_r)
        one_minus_a = stats.norm.cdf(s_level - m, mu_l, sd_l)
        cdf = a * c / (one_minus_a + a * c) if a * c > 0 else 0.0
        return cdf * stats.norm.sf(m, mu_r, sd_r)

    lo = min(s_level - mu_l - 10 * sd_l, mu_r - 10 * sd_r)
    points = sorted({s_level - mu_l, mu_r})
    return integrate.quad(integrand, lo, mu_r + 10 * sd_r, points=points, limit=400)[0]


# L >= R only: with L < R the planner solves the exact short-lead chain instead
# (test_lost_sales_short_lead.py)
@pytest.mark.parametrize(("lead", "review", "beta"), [(2, 1, 0.95), (7, 1, 0.98), (1, 1, 0.99)])
def test_lost_sales_fill_rate_meets_the_cycle_shortage_equation(
    lead: int, review: int, beta: float
) -> None:
    row = plan(service_level=beta, lead_time_days=lead, review_period_days=review, lost_sales=True)
    mu_l, sd_l, mu_r, sd_r = (
        10.0 * lead,
        3.0 * math.sqrt(lead),
        10.0 * review,
        3.0 * math.sqrt(review),
    )
    independent = optimize.brentq(
        lambda x: lost_sales_shortage_quad(x, mu_l, sd_l, mu_r, sd_r) - (1 - beta) * mu_r,
        mu_l,
        mu_l + mu_r + 10 * (sd_l + sd_r),
        xtol=1e-10,
    )
    # L > R: minus the units the earlier cycles of the lead time lose on average
    independent -= (1 - beta) * max(mu_l - mu_r, 0.0)
    # the engine inverts a table of the same integral (interpolated): within 2% of sd_P
    assert row.order_up_to == pytest.approx(independent, abs=0.02 * row.sigma_protection)


def test_lost_sales_with_zero_lead_time_is_the_loss_function_answer() -> None:
    # L = 0: each cycle starts at S, loses E[(D_R - S)^+] = sd_R L(z) (textbook, exact)
    row = plan(service_level=0.95, lead_time_days=0, review_period_days=7, lost_sales=True)
    sd_r = 3.0 * math.sqrt(7)
    z = optimize.brentq(
        lambda x: stats.norm.pdf(x) - x * stats.norm.sf(x) - 0.05 * 70 / sd_r, -5, 5
    )
    assert row.z == pytest.approx(z, abs=2e-3)


def simulated_lost_sales_fill(
    level: float, lead: int, review: int, mean: float, sd: float, periods: int, seed: int
) -> float:
    """Fill rate of a lost-sales (R, S) system, i.i.d. N(mean, sd^2) demand (clipped at 0)
    per period: each period the due order arrives, on review periods S - position is
    ordered (position = on hand + on order), then demand is served from stock."""
    rng = np.random.default_rng(seed)
    demand = np.maximum(rng.normal(mean, sd, periods), 0.0)
    pipeline = np.zeros(periods + lead + 1)
    on_hand, served, total = level, 0.0, 0.0
    for t, d in enumerate(demand):
        on_hand += pipeline[t]
        if t % review == 0:
            order = max(level - on_hand - pipeline[t + 1 : t + lead + 1].sum(), 0.0)
            if lead == 0:
                on_hand += order
            else:
                pipeline[t + lead] += order
        sold = min(on_hand, d)
        on_hand -= sold
        if t >= 500:  # warm-up
            served += sold
            total += d
    return served / total


@pytest.mark.parametrize(("lead", "review", "beta"), [(2, 1, 0.95), (4, 1, 0.98), (3, 7, 0.95)])
def test_lost_sales_level_is_close_to_target_in_a_simulated_system(
    lead: int, review: int, beta: float
) -> None:
    # the L > R model is not exact: 0.9475 / 0.9798 here; L = 3 < R = 7 solves the exact
    # short-lead chain: 0.9491 (one 60,000-day path; the older model gave 0.9522) (backorder
    # formula: 0.9714 / 0.9901 / 0.9644)
    row = plan(service_level=beta, lead_time_days=lead, review_period_days=review, lost_sales=True)
    fill = simulated_lost_sales_fill(row.order_up_to, lead, review, 10.0, 3.0, 60_000, seed=5)
    assert fill == pytest.approx(beta, abs=0.006)
    backorder = plan(
        service_level=beta, lead_time_days=lead, review_period_days=review, lost_sales=False
    )
    over = simulated_lost_sales_fill(backorder.order_up_to, lead, review, 10.0, 3.0, 60_000, 5)
    assert over > fill  # the backorder formula over-serves a lost-sales system


def test_lost_sales_level_never_exceeds_the_backorder_level() -> None:
    # pathwise a lost-sales system holds at least the backorder net stock, so S_lost <= S_bo;
    # includes near-deterministic demand at a low target (beyond the table) and cv > 1
    rng = np.random.default_rng(11)
    n = 20_000
    mean = rng.uniform(0.5, 500, n)
    sd = rng.uniform(0.0, 200, n) + 1e-3
    lead = rng.integers(0, 31, n).astype(float)
    review = rng.integers(1, 15, n).astype(float)
    beta = rng.uniform(0.5, 0.995, n)
    args = (
        mean * (lead + review),
        sd * np.sqrt(lead + review),
        mean * lead,
        sd * np.sqrt(lead),
        mean * review,
        beta,
    )
    lost = formulas.rs_order_up_to_for_fill_rate_lost_sales(*args)
    backorder = formulas.rs_order_up_to_for_fill_rate(*args)
    assert np.all(lost <= backorder + 1e-6 * (1.0 + np.abs(backorder)))  # bisection precision
    # deterministic demand 479/day, L = 5, R = 13, beta = 0.51: the backorder answer
    # mu_P - (1 - beta) mu_R = 8622 - 3051 binds
    level = formulas.rs_order_up_to_for_fill_rate_lost_sales(
        18 * 479.0, 1e-3, 5 * 479.0, 1e-3, 13 * 479.0, 0.51
    )
    assert float(level) == pytest.approx(18 * 479.0 - 0.49 * 13 * 479.0, abs=0.01)


@pytest.mark.parametrize("beta", [0.9, 0.95, 0.98])
def test_lost_sales_level_reaches_the_fill_rate_of_a_simulated_lost_sales_chain(
    beta: float,
) -> None:
    # L = R = 1 day, demand i.i.d. N(10, 3^2): the stock after each arrival follows
    # Y' = S - min(Y, D) (order S - Y placed when Y is on hand, arriving a day later)
    row = plan(service_level=beta, lead_time_days=1, review_period_days=1, lost_sales=True)
    rng = np.random.default_rng(3)
    demand = np.maximum(rng.normal(10.0, 3.0, 400_000), 0.0)
    stock, lost = row.order_up_to, 0.0
    for d in demand[:1000]:  # warm-up
        stock = row.order_up_to - min(stock, d)
    served = np.empty(len(demand) - 1000)
    for i, d in enumerate(demand[1000:]):
        served[i] = min(stock, d)
        stock = row.order_up_to - served[i]
    lost = demand[1000:].sum() - served.sum()
    assert 1 - lost / demand[1000:].sum() == pytest.approx(beta, abs=0.002)


def test_lead_time_variability_adds_d_squared_sd_l_squared() -> None:
    row = plan(service_type="cycle", lead_time_std_days=2.0)
    sigma = math.sqrt(9.0 * 10 + 10.0**2 * 2.0**2)
    assert row.sigma_protection == pytest.approx(sigma)
    assert row.safety_stock == pytest.approx(stats.norm.ppf(0.95) * sigma)


def test_pack_rounds_up_and_moq_raises() -> None:
    row = plan(service_type="cycle", pack_size=6)
    assert row.order_qty == pytest.approx(math.ceil((row.order_up_to - 25) / 6) * 6)
    small = plan(inv=inventory(on_hand=110, on_order=0), service_type="cycle", pack_size=6, moq=48)
    assert small.order_qty == 48
    assert "moq_raised" in small["flags"].split(";")
    assert "MOQ" in small.explanation


def test_max_units_caps_the_order_in_whole_packs() -> None:
    row = plan(service_type="cycle", pack_size=4, max_units=60)
    assert row.order_qty == 32  # room 35 -> 8 packs of 4
    assert "capacity_cap" in row["flags"].split(";")
    blocked = plan(service_type="cycle", pack_size=4, max_units=60, moq=40)
    assert blocked.order_qty == 0
    assert "below_moq_dropped" in blocked["flags"].split(";")


def test_perishable_never_orders_more_than_sells_before_expiry() -> None:
    row = plan(service_type="cycle", pack_size=6, shelf_life_days=2)
    # expected demand over lead time (30) + shelf life (20) = 50; position 25 -> room 25 -> 24
    assert row.order_qty == 24
    assert "perishable_cap" in row["flags"].split(";")
    assert row.expected_spoilage > 0
    assert "expected spoilage" in row.explanation


def test_order_days_set_the_review_interval_and_block_other_days() -> None:
    # 2024-01-01 is a Monday; the next order day among Mon/Thu is Thursday (+3)
    row = plan(service_type="cycle", review_period_days=4, order_days="Mon,Thu")
    assert row.protection_days == 6
    assert row.demand_over_protection == pytest.approx(60.0)
    thursday = plan(fc=forecast(start="2024-01-04"), service_type="cycle", order_days="mon;thu")
    assert thursday.protection_days == 3 + 4
    off = plan(service_type="cycle", order_days="Thu")
    assert off.order_qty == 0 and "not_order_day" in off["flags"].split(";")


def test_weekly_forecast_rows_are_spread_over_their_days() -> None:
    weekly = forecast(days=4, mean=70.0, sd=7.0)
    weekly["date"] = pd.date_range("2024-01-01", periods=4, freq="7D")
    row = plan(fc=weekly, service_type="cycle")
    assert row.demand_over_protection == pytest.approx(100.0)
    # 1 full week (var 49) + 3/7 of a week (var 49 * 3/7)
    assert row.sigma_protection == pytest.approx(math.sqrt(49 + 49 * 3 / 7))
    # comonotone errors (default): 1 full week's sd + 3/7 of a week's sd
    row = plan(fc=weekly, service_type="cycle", error_correlation=1.0)
    assert row.sigma_protection == pytest.approx(7.0 + 7.0 * 3 / 7)


@pytest.mark.parametrize(
    ("rho", "sigma"),
    [
        (None, 30.0),  # default 1: the ten daily sds of 3 add
        (1.0, 30.0),
        (0.0, 3.0 * math.sqrt(10)),  # independent: variances add, 10 x 9
        (0.5, math.sqrt(0.5 * 90 + 0.5 * 30.0**2)),  # equicorrelated: sqrt(495)
    ],
)
def test_error_correlation_sets_the_spread_over_the_protection_interval(
    rho: float | None, sigma: float
) -> None:
    frames = (forecast(), inventory(), policy(service_type="cycle"))
    result = (
        plan_replenishment(*frames, details=True)
        if rho is None
        else plan_replenishment(*frames, details=True, error_correlation=rho)
    )
    row = result.iloc[0]
    assert row.sigma_protection == pytest.approx(sigma)
    # Var = sum var + rho sum_{i != j} sd_i sd_j = 90 + rho 90 x 9
    assert row.sigma_protection**2 == pytest.approx(90 + (1.0 if rho is None else rho) * 810)
    assert row.safety_stock == pytest.approx(stats.norm.ppf(0.95) * sigma)
    # lead time alone (3 days)
    lead_var = 27 + (1.0 if rho is None else rho) * 9 * 6
    assert row.reorder_point == pytest.approx(30 + stats.norm.ppf(0.95) * math.sqrt(lead_var))


def test_rows_without_quantiles_stay_independent_poisson() -> None:
    fc = forecast()[["sku", "location", "date", "mean"]]
    row = plan(fc=fc, service_type="cycle", error_correlation=1.0)
    assert row.sigma_protection == pytest.approx(math.sqrt(100.0))  # Poisson, mean 100
    assert "no_quantiles" in row["flags"].split(";")


def test_extrapolated_days_share_the_correlated_spread() -> None:
    # 5 forecast days of sd 3; days 6-10 get the average rate (sd 3 per day, shared)
    row = plan(fc=forecast(days=5), service_type="cycle", error_correlation=1.0)
    assert row.sigma_protection == pytest.approx(30.0)


def test_quantile_spread_within_float_noise_is_no_spread() -> None:
    # a constant forecast whose p90 - p10 is 3.6e-15 (quantile arithmetic) has sigma 0, so
    # z = 0 and S = mu_P = 100 (not the lost-sales solve's deterministic limit
    # mu_P - (1 - beta) mu_R = 100 - 0.05 x 70 = 96.5)
    fc = forecast(sd=0.0)
    fc["p90"] = fc["p90"] + 3.552713678800501e-15
    row = plan(fc=fc, lost_sales=True)
    assert row.sigma_protection == 0.0
    assert row.order_up_to == pytest.approx(100.0)


def test_error_correlation_outside_zero_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="error_correlation"):
        plan_replenishment(forecast(), inventory(), policy(), error_correlation=1.5)


def test_short_forecast_is_extrapolated_and_flagged() -> None:
    row = plan(fc=forecast(days=5), service_type="cycle")
    assert row.demand_over_protection == pytest.approx(100.0)
    assert "forecast_extrapolated" in row["flags"].split(";")


def test_as_of_skips_past_forecast_days() -> None:
    fc = forecast(days=28)
    fc.loc[fc["date"] < "2024-01-05", "mean"] = 1000.0
    result = plan_replenishment(fc, inventory(), policy(), as_of=date(2024, 1, 5))
    assert result.loc[0, "demand_over_protection"] == pytest.approx(100.0)


def test_continuous_review_s_q_orders_whole_multiples_of_q() -> None:
    row = plan(
        service_type="cycle",
        policy_type="s_q",
        order_quantity=20,
        inv=inventory(on_hand=0, on_order=0),
    )
    assert row.reorder_point == pytest.approx(30 + stats.norm.ppf(0.95) * 3 * math.sqrt(3))
    assert row.order_qty == 40  # position 0 <= s ~ 38.5 -> 2 x 20 lifts it above s
    assert row.order_up_to == pytest.approx(row.reorder_point + 20)
    ss_row = plan(
        service_type="cycle",
        policy_type="s_s",
        order_quantity=20,
        inv=inventory(on_hand=0, on_order=0),
    )
    assert ss_row.order_qty == math.ceil(ss_row.order_up_to)
    high = plan(
        service_type="cycle",
        policy_type="s_s",
        order_quantity=20,
        inv=inventory(on_hand=50, on_order=0),
    )
    assert high.order_qty == 0


def test_flags_for_cold_start_excess_slow_mover_and_missing_inputs() -> None:
    cold = plan(fc=forecast(model="CategoryProfile_cold_start"))
    assert "cold_start" in cold["flags"].split(";")
    rich = plan(inv=inventory(on_hand=1000, on_order=0))
    assert {"excess", "slow_mover"} <= set(rich["flags"].split(";")) and rich.order_qty == 0
    two = pd.concat([policy(), policy(sku="B")], ignore_index=True)
    result = plan_replenishment(forecast(), inventory(), two).set_index("sku")
    assert set(result.loc["B", "flags"].split(";")) == {"no_forecast", "no_inventory"}
    assert result.loc["B", "order_qty"] == 0


def test_many_series_are_planned_independently() -> None:
    skus = [f"S{i}" for i in range(50)]
    fc = pd.concat([forecast(mean=float(i + 1), sd=1.0).assign(sku=s) for i, s in enumerate(skus)])
    inv = pd.DataFrame({"sku": skus, "location": "X", "on_hand": 0.0})
    pol = pd.DataFrame(
        {
            "sku": skus,
            "location": "X",
            "lead_time_days": 3,
            "review_period_days": 7,
            "service_level": 0.9,
            "service_type": "cycle",
        }
    )
    result = plan_replenishment(fc.sample(frac=1.0, random_state=1), inv, pol)
    # default error_correlation 1: ten days of sd 1 add to sigma 10
    expected = 10 * np.arange(1, 51) + Z90 * 10.0
    np.testing.assert_allclose(result["order_up_to"], expected)
    np.testing.assert_allclose(result["order_qty"], np.ceil(expected))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"service_level": 1.2}, "service_level must be strictly between 0 and 1"),
        ({"service_level": 0.0}, "service_level must be strictly between 0 and 1"),
        ({"lead_time_days": -1}, "lead_time_days must be >= 0"),
        ({"pack_size": 0}, "pack_size must be > 0"),
        ({"service_type": "type3"}, "service_type must be one of"),
        ({"order_days": "Funday"}, "unknown weekday"),
        ({"lead_time_days": "soon"}, "'lead_time_days' is not a number"),
    ],
)
def test_bad_policy_rows_are_named(overrides: dict[str, object], message: str) -> None:
    pol = pd.concat([policy(sku="B"), policy(**overrides)], ignore_index=True)
    with pytest.raises(ReplenishmentInputError) as info:
        plan_replenishment(forecast(), inventory(), pol)
    assert any(
        p.startswith("policy row 2 (line 3) (sku=A, location=X)") and message in p
        for p in info.value.problems
    )


def test_unknown_inventory_key_and_missing_column_are_reported() -> None:
    inv = pd.concat([inventory(), inventory().assign(sku="ZZ")], ignore_index=True)
    with pytest.raises(
        ReplenishmentInputError, match=r"inventory row 2 \(line 3\) \(sku=ZZ, location=X\): unknown"
    ):
        plan_replenishment(forecast(), inv, policy())
    with pytest.raises(ReplenishmentInputError, match="missing required column 'service_level'"):
        plan_replenishment(forecast(), inventory(), policy().drop(columns="service_level"))


def _three_day_forecast(
    mean: list[float], p10: list[float], p50: list[float], p90: list[float]
) -> pd.DataFrame:
    """A hand-made forecast of A at L for 2026-01-02 .. 2026-01-04."""
    return pd.DataFrame(
        {
            "sku": ["A"] * 3,
            "location": ["L"] * 3,
            "date": pd.to_datetime(["2026-01-02", "2026-01-03", "2026-01-04"]),
            "mean": mean,
            "p10": p10,
            "p50": p50,
            "p90": p90,
            "model": "hand",
        }
    )


def _normal_loss(z: float) -> float:
    """The standard normal loss function G(z) = phi(z) - z (1 - Phi(z))."""
    return float(stats.norm.pdf(z) - z * stats.norm.sf(z))


def _empty_shelf_daily_fill_rate_policy() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inventory (A at L, nothing on hand) and policy (L = R = 1 day, 95% fill rate) of the
    hand-solved one-day-cycle cases below."""
    inventory = pd.DataFrame({"sku": ["A"], "location": ["L"], "on_hand": [0.0]})
    policy = pd.DataFrame(
        {
            "sku": ["A"],
            "location": ["L"],
            "lead_time_days": [1],
            "review_period_days": [1],
            "service_level": [0.95],
            "service_type": ["fill_rate"],
        }
    )
    return inventory, policy


def test_fill_rate_uses_the_protected_cycle_when_tomorrow_forecasts_nothing() -> None:
    """Regression: a zero forecast for the first day must not make S run to its bound.

    Lead time 1 day, review 1 day: the order protects day 2, whose forecast is N(2, sd^2) with
    sd = (p90 - p10) / (2 * 1.2816) = 6 / 2.5631; day 1 has no demand. The cycle shortage
    (lost sales and backorders alike: nothing is sold before the arrival) is then
    sd * G((S - 2) / sd), set equal to (1 - 0.95) times the fill-rate basis, the protection
    interval's average cycle demand (0 + 2) / 2 days x R = 1 unit, and solved by hand with the
    normal loss function G(z) = phi(z) - z (1 - Phi(z)).
    """

    forecasts = _three_day_forecast(
        mean=[0.0, 2.0, 1.0], p10=[0.0, 0.0, 0.0], p50=[0.0, 1.0, 1.0], p90=[0.0, 6.0, 3.0]
    )
    inventory, policy = _empty_shelf_daily_fill_rate_policy()
    out = plan_replenishment(forecasts, inventory, policy, as_of=date(2026, 1, 2))
    sd = 6.0 / (stats.norm.ppf(0.9) - stats.norm.ppf(0.1))

    z = optimize.brentq(lambda v: sd * _normal_loss(v) - 0.05 * 1.0, -5.0, 10.0)
    # no lead-time demand: lost sales and backorders agree; the lost-sales level is read from
    # an interpolated table (within 0.001 sd here)
    assert out.loc[0, "order_up_to"] == pytest.approx(2.0 + z * sd, abs=1e-3 * sd)
    assert out.loc[0, "order_qty"] == 6.0


def test_lost_sales_level_uses_the_correlated_lead_time_spread() -> None:
    # default error_correlation 1: sigma_P = 10 x 3 = 30 and sigma_L = 3 x 3 = 9 (the sds of
    # the days add), both passed to the lost-sales cycle model (L = 3 < R = 7: short lead)
    result = plan_replenishment(
        forecast(), inventory(), policy(service_level=0.95), details=True
    ).iloc[0]
    expected = formulas.rs_order_up_to_for_fill_rate_lost_sales(
        np.array([100.0]),
        np.array([30.0]),
        np.array([30.0]),
        np.array([9.0]),
        np.array([70.0]),
        np.array([0.95]),
        short_lead=np.array([True]),
    )[0]
    assert result.sigma_protection == pytest.approx(30.0)
    assert result.order_up_to == pytest.approx(expected)


def test_explanation_names_the_rounding_only_where_it_shows() -> None:
    # cycle 95%: S = 100 + 1.645 * 3 * sqrt(10) = 115.6; position 20 + 5 = 25; raw 90.6
    units = plan(service_type="cycle")  # pack size 1: 90.6 -> 91
    assert units.order_up_to == pytest.approx(100 + stats.norm.ppf(0.95) * 3 * math.sqrt(10))
    assert units.order_qty == 91
    assert "binding: rounding up to whole units" in units.explanation
    packs = plan(service_type="cycle", pack_size=6)  # 90.6 -> 16 packs of 6
    assert packs.order_qty == 96
    assert "binding: rounding up to whole packs" in packs.explanation
    # raw 90.97 -> 91 reads "raw need 91.0, order 91.0": no constraint worth naming
    on_hand = units.order_up_to - 90.97 - 5.0
    almost = plan(inv=inventory(on_hand=on_hand, on_order=5.0), service_type="cycle")
    assert almost.order_qty == 91
    assert "binding" not in almost.explanation


def test_a_zero_mean_under_a_positive_band_still_gets_safety_stock() -> None:
    """Regression (demo: seasonal-naive fronts with safety stock 0): a forecast row whose
    mean is 0 while its own band says demand is likely (p90 > 0) is read with the smallest
    mean a non-negative demand with those quantiles can have, max_q (1 - q) p_q
    (E[D] >= p_q P(D >= p_q) >= (1 - q) p_q), so the fill-rate target has a cycle demand
    to serve instead of "no expected demand, no safety stock".

    Lead time 1 day, review 1 day: the order protects day 2, forecast mean 0 but p90 3 (a
    seasonal naive copying last week's zero). Day 1 has no demand and no spread, so the
    backorder cycle shortage is sd * G((S - mu) / sd) with mu = 0.1 * 3 = 0.3 (p90's bound;
    p50 = 0 gives 0) and sd = 3 / (z_0.9 - z_0.1); it is set equal to (1 - 0.95) * 0.15 (the
    fill-rate basis: the 2-day protection interval's average cycle demand) and solved by hand
    with the normal loss function G(z) = phi(z) - z (1 - Phi(z)).
    """
    forecasts = _three_day_forecast(
        mean=[0.0, 0.0, 4.0], p10=[0.0, 0.0, 1.0], p50=[0.0, 0.0, 4.0], p90=[0.0, 3.0, 7.0]
    )
    inventory, policy = _empty_shelf_daily_fill_rate_policy()
    out = plan_replenishment(
        forecasts, inventory, policy, as_of=date(2026, 1, 2), lost_sales=False, details=True
    )
    sd = 3.0 / (stats.norm.ppf(0.9) - stats.norm.ppf(0.1))

    # the cycle may lose 5% of the protection interval's average cycle demand, (0 + 0.3) / 2
    z = optimize.brentq(lambda v: sd * _normal_loss(v) - 0.05 * 0.15, -5.0, 10.0)
    assert out.loc[0, "demand_per_cycle"] == pytest.approx(0.3)
    assert out.loc[0, "safety_stock"] == pytest.approx(z * sd, rel=1e-4)
    assert out.loc[0, "order_up_to"] == pytest.approx(0.3 + z * sd, rel=1e-4)
    assert out.loc[0, "safety_stock"] > 2.0  # was 0: "no demand expected on day 2"


def test_coherent_mean_floor_per_row() -> None:
    from replenishment.protection import coherent_mean_floor

    quantiles = {
        0.1: np.array([0.0, 1.0, -2.0, np.nan, 0.0]),
        0.5: np.array([0.0, 4.0, 5.0, 1.0, 0.0]),
        0.9: np.array([3.0, 7.0, 12.0, 20.0, 0.0]),
    }
    floor = coherent_mean_floor(quantiles, np.arange(5))
    # 0.1 x 3; max(0.9 x 1, 0.5 x 4, 0.1 x 7) = 2; a negative p10 (normal band): 0;
    # NaN p10 skipped: max(0.5, 2); no band: 0
    assert floor.tolist() == pytest.approx([0.3, 2.0, 0.0, 2.0, 0.0])


@pytest.mark.parametrize(
    ("last_day", "cycle_beta"),
    [
        (6.0, 1 - 0.05 * 9.0 / 6.0),  # basis (30 + 6) / 4 = 9 units a day: 0.925 on the cycle
        (1.0, 1 - 0.05 * 7.75),  # basis 31 / 4 = 7.75 against 1 unit: 0.6125
        (0.5, 0.5),  # basis 7.625 against 0.5 unit: 1 - 0.05 x 15.25 < 0.5, held at the floor
    ],
)
def test_fill_rate_cycle_loses_the_share_of_the_protection_average(
    last_day: float, cycle_beta: float
) -> None:
    """A fill rate is a share of demand over many cycles: the protected cycle (day 4 of
    L = 3 + R = 1) may lose (1 - beta) of the protection interval's average cycle demand,
    not of its own, so a quiet day next to busy ones gets no higher safety factor than they.

    Days 1-3 forecast 10 units, day 4 `last_day`, sd 3 a day, independent (error_correlation
    0). Backorders: E[(D_P - S)^+] - E[(D_L - S)^+] = (1 - cycle_beta) x day 4's mean, solved
    by hand with the normal loss function; the cycle fill rate is floored at 50%."""
    days = pd.date_range("2024-01-01", periods=4, freq="D")
    means = np.array([10.0, 10.0, 10.0, last_day])
    fc = pd.DataFrame(
        {
            "sku": "A",
            "location": "X",
            "date": days,
            "mean": means,
            "p10": means - Z90 * 3.0,
            "p50": means,
            "p90": means + Z90 * 3.0,
            "model": "hand",
        }
    )
    row = plan(fc, lead_time_days=3, review_period_days=1, service_level=0.95)
    mu_p, sd_p, mu_l, sd_l = means.sum(), 6.0, 30.0, 3.0 * math.sqrt(3)

    def cycle_loss(s: float) -> float:
        return sd_p * _normal_loss((s - mu_p) / sd_p) - sd_l * _normal_loss((s - mu_l) / sd_l)

    expected = optimize.brentq(lambda s: cycle_loss(s) - (1 - cycle_beta) * last_day, 0, 100)
    assert row.order_up_to == pytest.approx(expected, abs=1e-3 * sd_p)
    # the details say what the row was solved for
    assert row.fill_basis_demand == pytest.approx(means.sum() / 4)
    assert row.demand_per_cycle == pytest.approx(last_day)
    assert row.row_fill_rate == pytest.approx(0.95)
    assert row.cycle_fill_rate == pytest.approx(cycle_beta)
    # and so does the planner's sentence
    assert (
        f"this cycle's {last_day:.1f} units at fill rate {row.cycle_fill_rate:.1%},"
        f" so it loses 5.0% of an average cycle's {means.sum() / 4:.1f}"
    ) in row.explanation
