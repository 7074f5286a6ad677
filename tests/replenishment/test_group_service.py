"""Group fill-rate targets (P.csv `service_group`): one aggregate fill rate per group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from replenishment import ReplenishmentInputError, formulas, plan_replenishment
from replenishment.classes import apply_class_targets, classify_abc_xyz
from replenishment.group_service import DEFAULT_MIN_FILL_RATE, group_fill_rates
from replenishment.simulation import simulate

Z95 = stats.norm.ppf(0.95)
# group_fill_rates' grid before 2026-11-23 (80 coarse points, two refining passes of 41
# points): the reference the faster default grid is compared against
REFERENCE_GRID: tuple[int, tuple[tuple[float, int], ...]] = (80, ((1.3, 41), (1.02, 41)))


def forecasts(items: dict[str, tuple[float, float]], days: int = 28) -> pd.DataFrame:
    """Daily forecasts: per sku (daily mean, daily sd) with p05/p95 at mean -/+ z95 sd."""
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "sku": sku,
                    "location": "X",
                    "date": dates,
                    "mean": mean,
                    "p05": mean - Z95 * sd,
                    "p95": mean + Z95 * sd,
                }
            )
            for sku, (mean, sd) in items.items()
        ],
        ignore_index=True,
    )


def policies(skus: list[str], **columns: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "sku": skus,
            "location": "X",
            "lead_time_days": 0,
            "review_period_days": 7,
            "service_level": 0.95,
        }
    )
    return frame.assign(**columns)


def stock_of(items: dict[str, tuple[float, float]], **kwargs: object) -> pd.DataFrame:
    """Plan with nothing on hand; i.i.d. days (error_correlation 0); details, indexed by sku."""
    inventory = pd.DataFrame({"sku": list(items), "location": "X", "on_hand": 0.0})
    columns = {k: v for k, v in kwargs.items() if k not in ("lost_sales",)}
    result = plan_replenishment(
        forecasts(items),
        inventory,
        policies(list(items), **columns),
        details=True,
        error_correlation=0.0,
        lost_sales=bool(kwargs.get("lost_sales", True)),
    )
    return result.set_index("sku")


def normal_loss(z: np.ndarray | float) -> np.ndarray:
    """L(z) = E[(Z - z)^+], from scipy's normal pdf / sf (independent of formulas.py)."""
    return np.asarray(stats.norm.pdf(z) - z * stats.norm.sf(z))


ITEMS = {"smooth": (100.0, 20.0), "spiky": (50.0, 40.0)}


@pytest.mark.parametrize("lost_sales", [True, False])
def test_group_of_one_equals_the_per_row_result(lost_sales: bool) -> None:
    alone = stock_of(ITEMS, lost_sales=lost_sales)
    grouped = stock_of(ITEMS, lost_sales=lost_sales, service_group=["g1", "g2"])
    assert np.allclose(grouped["order_up_to"], alone["order_up_to"], rtol=1e-9)
    assert np.allclose(grouped["row_fill_rate"], 0.95)


def test_two_items_backorder_match_an_independent_scipy_optimum() -> None:
    # L = 0, R = 7, backorders: cycle shortage = sd_P L((S - mu_P) / sd_P) (no start term).
    result = stock_of(ITEMS, lost_sales=False, service_group="G")
    mu = np.array([700.0, 350.0])
    sd = np.array([20.0, 40.0]) * np.sqrt(7.0)
    target = 0.05 * mu.sum()

    def z2_for(z1: float) -> float:
        rest = target - sd[0] * normal_loss(z1)
        return float(optimize.brentq(lambda z: sd[1] * normal_loss(z) - rest, -20, 20))

    best = optimize.minimize_scalar(
        lambda z1: sd[0] * z1 + sd[1] * z2_for(z1),
        bounds=(-1.0, 4.0),
        method="bounded",
        options={"xatol": 1e-10},
    )
    z1 = best.x
    expected = mu + sd * np.array([z1, z2_for(z1)])
    got = result.loc[["smooth", "spiky"], "order_up_to"].to_numpy()
    # the group's expected shortage is the target (exactly: each level is a per-row answer)
    z_got = (got - mu) / sd
    assert (sd * normal_loss(z_got)).sum() == pytest.approx(target, rel=1e-6)
    # at the minimum total stock: within 0.01% of scipy's optimum, same split within 0.05 units
    assert got.sum() == pytest.approx(expected.sum(), rel=1e-4)
    assert got == pytest.approx(expected, abs=0.05)
    # Lagrange condition for equal unit weights: equal stock-out probability, i.e. equal z
    assert z_got[0] == pytest.approx(z_got[1], abs=2e-3)
    # and the implied fill rates: the spiky item is served less
    implied = 1 - sd * normal_loss(z_got) / mu
    assert result.loc[["smooth", "spiky"], "row_fill_rate"].to_numpy() == pytest.approx(
        implied, abs=1e-6
    )
    assert implied[1] < 0.95 < implied[0]


def test_unit_cost_weights_the_stockout_probability() -> None:
    # value weights: c_i (-dS_i/de_i) = lambda and -dS/de = 1 / P(D > S) for L = 0 backorders,
    # so P(stock-out)_i is proportional to c_i: the dearer item is short more often
    result = stock_of(ITEMS, lost_sales=False, service_group="G", unit_cost=[1.0, 3.0])
    z = result.loc[["smooth", "spiky"], "z"].to_numpy()
    assert stats.norm.sf(z[1]) / stats.norm.sf(z[0]) == pytest.approx(3.0, rel=0.01)
    # a missing unit cost in the group: units (equal z)
    units = stock_of(ITEMS, lost_sales=False, service_group="G", unit_cost=[1.0, np.nan])
    assert units.loc["smooth", "z"] == pytest.approx(units.loc["spiky", "z"], abs=2e-3)


def test_two_items_lost_sales_at_a_brute_force_minimum() -> None:
    # L = 2 < R = 7, lost-sales short-lead chain; the brute force computes the chain directly
    # (formulas.lost_sales_cycle_shortage with short_lead), the planner reads its table
    lead, review = 2, 7
    result = plan_replenishment(
        forecasts(ITEMS),
        pd.DataFrame({"sku": list(ITEMS), "location": "X", "on_hand": 0.0}),
        policies(list(ITEMS), lead_time_days=lead, review_period_days=review, service_group="G"),
        details=True,
        error_correlation=0.0,
    ).set_index("sku")
    daily_mu = np.array([100.0, 50.0])
    daily_sd = np.array([20.0, 40.0])
    mu_l, mu_r = daily_mu * lead, daily_mu * review
    sd_l, sd_r = daily_sd * np.sqrt(lead), daily_sd * np.sqrt(review)
    target = 0.05 * mu_r.sum()

    def shortage(level: np.ndarray | float, i: int) -> float:
        return float(
            formulas.lost_sales_cycle_shortage(
                level, mu_l[i], sd_l[i], mu_r[i], sd_r[i], short_lead=True
            )
        )

    def second_level(level_1: float) -> float:
        rest = target - shortage(level_1, 0)
        lo, hi = mu_l[1] + mu_r[1] - 10 * sd_r[1], mu_l[1] + mu_r[1] + 10 * sd_r[1]
        return float(optimize.brentq(lambda s: shortage(s, 1) - rest, lo, hi))

    got = result.loc[["smooth", "spiky"], "order_up_to"].to_numpy()
    # the group's modelled lost sales are the target (table vs quadrature: within 1%)
    assert shortage(got[0], 0) + shortage(got[1], 1) == pytest.approx(target, rel=0.01)
    # brute force over the first item's level: the total is not beaten by more than 0.05%
    grid = np.linspace(got[0] - 60.0, got[0] + 60.0, 241)
    totals = [s1 + second_level(s1) for s1 in grid]
    assert got.sum() <= min(totals) * 1.0005
    assert grid[int(np.argmin(totals))] == pytest.approx(got[0], abs=3.0)


def test_group_holds_no_more_than_per_row_targets_and_high_cv_is_served_less() -> None:
    items = {"a": (100.0, 10.0), "b": (100.0, 40.0), "c": (20.0, 30.0), "d": (500.0, 25.0)}
    for lost_sales in (True, False):
        per_row = stock_of(items, lost_sales=lost_sales)
        grouped = stock_of(items, lost_sales=lost_sales, service_group="G")
        assert grouped["order_up_to"].sum() < per_row["order_up_to"].sum()
        # the group's expected shortage equals the per-row one: sum (1 - beta_i) mu_R,i
        cycle = grouped["demand_per_cycle"]
        assert ((1 - grouped["row_fill_rate"]) * cycle).sum() == pytest.approx(
            0.05 * cycle.sum(), rel=1e-9
        )
        cv = pd.Series({k: sd / mean for k, (mean, sd) in items.items()})
        order = cv.sort_values().index
        implied = grouped.loc[order, "row_fill_rate"].to_numpy()
        assert np.all(np.diff(implied) < 0)  # higher cv, lower implied fill rate
    assert "on group G's demand; this item's fill rate" in grouped.loc["a", "explanation"]


def test_group_shortage_is_a_share_of_the_fill_basis_when_the_cycle_is_not_average() -> None:
    """Forecasts that are not level (L = 3, R = 1: the protected day 4 differs from the
    interval's average day): the group's expected shortage is (1 - beta) of the sum of the
    rows' fill-rate basis d_P R, and each row's cycle is solved at 1 - (1 - beta_i) d_P R /
    mu_R, so the identity holds on `fill_basis_demand`, not on `demand_per_cycle`."""
    days = pd.date_range("2024-01-01", periods=4, freq="D")
    paths = {
        "quiet_day": ([40.0, 40.0, 40.0, 20.0], 8.0),
        "busy_day": ([30.0, 30.0, 30.0, 90.0], 25.0),
    }
    fc = pd.concat(
        [
            pd.DataFrame(
                {
                    "sku": sku,
                    "location": "X",
                    "date": days,
                    "mean": means,
                    "p05": np.asarray(means) - Z95 * sd,
                    "p95": np.asarray(means) + Z95 * sd,
                }
            )
            for sku, (means, sd) in paths.items()
        ],
        ignore_index=True,
    )
    inventory = pd.DataFrame({"sku": list(paths), "location": "X", "on_hand": 0.0})
    policy = policies(list(paths), lead_time_days=3, review_period_days=1, service_group="G")
    rows = plan_replenishment(fc, inventory, policy, details=True, error_correlation=0.0).set_index(
        "sku"
    )
    basis = rows["fill_basis_demand"]
    assert basis.to_dict() == pytest.approx({"quiet_day": 35.0, "busy_day": 45.0})
    assert rows["demand_per_cycle"].to_dict() == pytest.approx(
        {"quiet_day": 20.0, "busy_day": 90.0}
    )
    beta = rows["row_fill_rate"]
    assert ((1 - beta) * basis).sum() == pytest.approx(0.05 * basis.sum(), rel=1e-9)
    assert ((1 - beta) * rows["demand_per_cycle"]).sum() != pytest.approx(
        0.05 * rows["demand_per_cycle"].sum(), rel=1e-3
    )
    expected_cycle = np.clip(1 - (1 - beta) * basis / rows["demand_per_cycle"], 0.5, 1 - 1e-6)
    assert rows["cycle_fill_rate"].to_numpy() == pytest.approx(expected_cycle.to_numpy())


def test_rows_outside_the_periodic_fill_rate_solve_keep_their_own_target() -> None:
    items = {"a": (100.0, 10.0), "b": (100.0, 40.0), "c": (50.0, 20.0)}
    kwargs = {"service_type": ["fill_rate", "cycle", "fill_rate"], "lost_sales": True}
    alone = stock_of(items, **kwargs, policy_type=["order_up_to", "order_up_to", "s_q"])
    grouped = stock_of(
        items, **kwargs, policy_type=["order_up_to", "order_up_to", "s_q"], service_group="G"
    )
    # a is the only periodic fill-rate row of G: a group of one; b (cycle) and c (s_q) as before
    assert np.allclose(grouped["order_up_to"], alone["order_up_to"], rtol=1e-9)


def test_mixed_service_levels_in_a_group_name_the_rows() -> None:
    pol = policies(["a", "b", "c"], service_level=[0.95, 0.98, 0.9], service_group=["G", "G", ""])
    inventory = pd.DataFrame({"sku": ["a"], "location": "X", "on_hand": 0.0})
    with pytest.raises(ReplenishmentInputError) as error:
        plan_replenishment(forecasts({"a": (10.0, 2.0)}), inventory, pol)
    problems = error.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("policy row 1 (line 2) (sku=a, location=X): service_group 'G'")
    assert problems[1].startswith("policy row 2 (line 3) (sku=b, location=X)")
    assert "0.95, 0.98" in problems[0]


def test_class_as_service_group() -> None:
    dates = pd.date_range("2024-01-01", periods=4, freq="7D")
    history = pd.concat(
        [
            pd.DataFrame({"sku": s, "location": "X", "date": dates, "units": u})
            for s, u in {"A": [100] * 4, "B": [30, 0, 30, 0], "C": [10, 5, 10, 5]}.items()
        ],
        ignore_index=True,
    )
    pol = pd.DataFrame({"sku": ["A", "B", "C"], "location": "X", "service_level": 0.9})
    out = apply_class_targets(
        pol, classify_abc_xyz(history), {"AX": 0.99, "X": 0.95}, as_service_groups=True
    ).set_index("sku")
    # A matches AX, C (class CX) matches X; B (BY) matches nothing: no group, level kept
    assert out["service_group"].to_dict() == {"A": "AX", "B": "", "C": "X"}
    assert out["service_level"].to_dict() == {"A": 0.99, "B": 0.9, "C": 0.95}
    assert (
        "service_group"
        not in apply_class_targets(pol, classify_abc_xyz(history), {"AX": 0.99}).columns
    )


def test_simulator_passes_the_group_to_the_planner() -> None:
    rng = np.random.default_rng(3)
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    history = pd.concat(
        [
            pd.DataFrame({"sku": sku, "location": "X", "date": days, "units": units})
            for sku, units in {
                "smooth": rng.normal(100, 10, len(days)).round(),
                "spiky": rng.gamma(0.5, 100, len(days)).round(),
            }.items()
        ],
        ignore_index=True,
    )

    def forecaster(past: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        level = past.groupby(["sku", "location"])["units"].agg(["mean", "std"])
        out = future.merge(level.reset_index(), on=["sku", "location"])
        return out.assign(p05=out["mean"] - Z95 * out["std"], p95=out["mean"] + Z95 * out["std"])

    base = policies(["smooth", "spiky"], lead_time_days=2)
    start = days[28].date()
    alone = simulate(history, base, forecaster, start=start)
    grouped = simulate(history, base.assign(service_group="G"), forecaster, start=start)
    singles = simulate(history, base.assign(service_group=["g1", "g2"]), forecaster, start=start)
    pd.testing.assert_frame_equal(singles.trace, alone.trace)
    # one group: the spiky series (high cv) is stocked less, the smooth one more
    on_hand = grouped.summary.set_index("sku")["avg_on_hand"]
    before = alone.summary.set_index("sku")["avg_on_hand"]
    assert on_hand["spiky"] < before["spiky"] and on_hand["smooth"] > before["smooth"]


def test_a_floor_holds_the_item_the_optimum_would_push_below_it() -> None:
    # Unconstrained (test above) the spiky item gets 0.900. With min_fill_rate 0.93 it sits
    # at the floor: its shortage is 0.07 x 350 = 24.5 units per cycle, so the smooth item
    # takes the rest of the group's 0.05 x 1050 = 52.5: 28 units, fill rate 1 - 28/700 = 0.96.
    free = stock_of(ITEMS, lost_sales=False, service_group="G")
    assert free.loc["spiky", "row_fill_rate"] < 0.93
    result = stock_of(ITEMS, lost_sales=False, service_group="G", min_fill_rate=[np.nan, 0.93])
    assert result.loc["spiky", "row_fill_rate"] == pytest.approx(0.93, abs=1e-12)
    assert result.loc["smooth", "row_fill_rate"] == pytest.approx(0.96, abs=1e-9)
    # each level is the per-row backorder answer (L = 0: shortage sd_P L(z)), from scipy
    mu = np.array([700.0, 350.0])
    sd = np.array([20.0, 40.0]) * np.sqrt(7.0)
    z = [
        optimize.brentq(lambda z, i=i, e=e: sd[i] * normal_loss(z) - e, -20, 20)
        for i, e in enumerate((28.0, 24.5))
    ]
    got = result.loc[["smooth", "spiky"], "order_up_to"].to_numpy()
    assert got == pytest.approx(mu + sd * np.array(z), abs=1e-6)
    # the group still meets its target, and holds more than without the floor
    z_got = (got - mu) / sd
    assert (sd * normal_loss(z_got)).sum() == pytest.approx(0.05 * mu.sum(), rel=1e-6)
    assert got.sum() > free.loc[["smooth", "spiky"], "order_up_to"].sum()


def test_the_default_floor_keeps_a_wild_item_at_half_its_demand() -> None:
    # a very spiky small item (cv 12 a day): the unconstrained optimum starves it (~3%); the
    # default floor (0.5) holds it at 0.5 and the smooth item covers the rest of the target
    items = {"smooth": (100.0, 5.0), "wild": (5.0, 60.0)}
    starved = stock_of(items, lost_sales=False, service_group="G", min_fill_rate=0.01)
    assert starved.loc["wild", "row_fill_rate"] < 0.05
    result = stock_of(items, lost_sales=False, service_group="G")
    assert result.loc["wild", "row_fill_rate"] == pytest.approx(DEFAULT_MIN_FILL_RATE, abs=1e-12)
    # group shortage 0.05 x 735 = 36.75 units, the wild item's 0.5 x 35 = 17.5
    assert result.loc["smooth", "row_fill_rate"] == pytest.approx(1 - 19.25 / 700, abs=1e-9)


def test_min_fill_rate_outside_0_1_or_above_the_target_names_the_rows() -> None:
    pol = policies(["a", "b", "c"], service_group="G", min_fill_rate=[0.5, 1.2, 0.97])
    inventory = pd.DataFrame({"sku": ["a"], "location": "X", "on_hand": 0.0})
    with pytest.raises(ReplenishmentInputError) as error:
        plan_replenishment(forecasts({"a": (10.0, 2.0)}), inventory, pol)
    problems = error.value.problems
    assert len(problems) == 2
    assert problems[0] == (
        "policy row 2 (line 3) (sku=b, location=X): min_fill_rate must be strictly between 0 and 1"
    )
    assert problems[1].startswith(
        "policy row 3 (line 4) (sku=c, location=X): min_fill_rate is above service_level"
    )


def test_the_faster_grid_matches_the_reference_solver() -> None:
    # 400 random rows in three groups (lost-sales and backorder levels, L/R 0 to 2, cv 0.2 to
    # 2, unit weights 1 to 10), no floor: the default grid (51 level evaluations per row)
    # against the solver before 2026-11-23 (REFERENCE_GRID, 162 per row). Both meet each
    # group's target exactly; the stock differs by < 2e-5 relative and the implied fill rates
    # by < 2e-3 for 99% of rows (< 0.02 for all: the objective is flat at the optimum)
    rng = np.random.default_rng(3)
    n = 400
    mu_r = rng.gamma(1.5, 40, n) + 1
    mu_l = rng.choice([0.0, 0.5, 1.0, 2.0], n) * mu_r
    cv = rng.choice([0.2, 0.5, 1.0, 2.0], n)
    sd_l = 0.3 * cv * np.sqrt(mu_l * mu_r)
    sd_p = np.sqrt(sd_l**2 + (cv * mu_r) ** 2)
    mu_p = mu_l + mu_r
    lost = rng.random(n) < 0.6
    weight = rng.choice([1.0, 3.0, 10.0], n)
    group = rng.integers(0, 3, n)
    target = np.array([0.9, 0.95, 0.98])[group]

    def level(rows: np.ndarray, beta: np.ndarray) -> np.ndarray:
        out = np.empty(beta.shape)
        for flag, solve in (
            (True, formulas.rs_order_up_to_for_fill_rate_lost_sales),
            (False, formulas.rs_order_up_to_for_fill_rate),
        ):
            sel = lost[rows] == flag
            inputs = (a[rows[sel]][:, None] for a in (mu_p, sd_p, mu_l, sd_l, mu_r))
            out[sel] = solve(*inputs, beta[sel])
        return out

    floor = np.full(n, 0.01)
    new = group_fill_rates(level, mu_r, weight, group, target, floor)
    ref = group_fill_rates(level, mu_r, weight, group, target, floor, grid=REFERENCE_GRID)
    rows = np.arange(n)
    stock_new = weight * level(rows, new[:, None])[:, 0]
    stock_ref = weight * level(rows, ref[:, None])[:, 0]
    for g, beta in enumerate((0.9, 0.95, 0.98)):
        m = group == g
        for implied in (new, ref):
            short = ((1 - implied[m]) * mu_r[m]).sum()
            assert short == pytest.approx((1 - beta) * mu_r[m].sum(), rel=1e-9)
        assert stock_new[m].sum() == pytest.approx(stock_ref[m].sum(), rel=2e-5)
    assert np.quantile(np.abs(new - ref), 0.99) < 2e-3
    assert np.abs(new - ref).max() < 0.02
