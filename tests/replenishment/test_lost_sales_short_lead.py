"""The lost-sales (R, S) level when the lead time is shorter than the review period (L < R).

The engine's model (formulas.lost_sales_short_lead_loss) is the stationary chain of the stock
taken after an arrival; it is checked against an independent power iteration of the same
chain in units (scipy.stats on a fine grid), against a simulated lost-sales system, and at
its hand-checkable limits (L = 0: the normal loss function; L = R: the older cycle model,
exact there).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from replenishment import formulas


def chain_loss_in_units(
    level: float, mu_l: float, sd_l: float, mu_a: float, sd_a: float, cells: int = 800
) -> float:
    """E[(D_R - M)^+] with M = S - Y, Y = min(D_L, (S - Y' - D_A)^+): power iteration of the
    law of Y on a fine grid of [0, mu_L + 8 sd_L] (units), D_R = D_A + D_B, D_B ~ D_L."""
    mu_r, sd_r = mu_a + mu_l, float(np.hypot(sd_a, sd_l))
    y = np.linspace(0.0, mu_l + 8.0 * sd_l, cells)
    edges = np.r_[0.5 * (y[1:] + y[:-1]), np.inf]
    mass = np.zeros(cells)
    mass[0] = 1.0
    for _ in range(500):
        # P(Y' > e) = P(D_L > e) P(Y + D_A < S - e)
        below = stats.norm.cdf(level - edges[:, None] - y[None, :], mu_a, sd_a) @ mass
        survival = stats.norm.sf(edges, mu_l, sd_l) * below
        new = np.r_[1.0 - survival[0], survival[:-1] - survival[1:]]
        if np.max(np.abs(new - mass)) < 1e-13:
            break
        mass = new
    z = (level - y - mu_r) / sd_r
    return float(mass @ (sd_r * (stats.norm.pdf(z) - z * stats.norm.sf(z))))


@pytest.mark.parametrize(
    ("lead", "review", "cv", "k"),
    [(3, 7, 0.2, 1.0), (3, 7, 0.5, 0.0), (1, 7, 0.2, 1.5), (1, 4, 0.5, -1.0), (6, 7, 0.3, 2.0)],
)
def test_short_lead_loss_matches_an_independent_power_iteration(
    lead: int, review: int, cv: float, k: float
) -> None:
    mean, sd = 100.0, 100.0 * cv
    mu_l, sd_l = mean * lead, sd * np.sqrt(lead)
    mu_a, sd_a = mean * (review - lead), sd * np.sqrt(review - lead)
    mu_r, sd_r = mean * review, sd * np.sqrt(review)
    level = mu_l + mu_r + k * sd_r
    reference = chain_loss_in_units(level, mu_l, sd_l, mu_a, sd_a)
    standardized = formulas.lost_sales_short_lead_loss(k, sd_l / sd_r, mu_l / sd_r)
    # cells of 0.25 sd_R against 800 cells: within 1.5%
    assert sd_r * float(standardized) == pytest.approx(reference, rel=0.015)
    # the forward function in units reads the same chain
    forward = formulas.lost_sales_cycle_shortage(level, mu_l, sd_l, mu_r, sd_r, short_lead=True)
    assert float(forward) == pytest.approx(sd_r * float(standardized), rel=1e-12)


def test_zero_lead_time_is_the_normal_loss_function() -> None:
    # L = 0: every cycle starts at S, so it loses sd_R L(k) exactly
    k = np.linspace(-3.0, 4.0, 29)
    assert formulas.lost_sales_short_lead_loss(k, 0.0, 0.0) == pytest.approx(
        formulas.standard_normal_loss(k), rel=1e-9
    )


def test_lead_time_equal_to_the_review_period_is_the_older_cycle_model() -> None:
    # r = 1 (D_A = 0 days): Y' = min(D_L, S - Y), the chain lost_sales_loss is exact for
    k = np.linspace(-3.0, 3.0, 13)
    older = formulas.lost_sales_loss(k, 1.0)
    assert formulas.lost_sales_short_lead_loss(k, 1.0, 8.0) == pytest.approx(older, rel=0.01)


def test_lead_time_mean_beyond_the_table_does_not_change_the_loss() -> None:
    # c = mu_L / sd_R >= 8 (the table's last c): neither D_L nor the stock at a review comes
    # near 0 unless S is far below the mean demand
    # near 0 unless S is far below the mean demand, so c = 20 is read as c = 8
    k = np.array([-6.0, -4.0, 0.0, 2.0])
    at_eight = formulas.lost_sales_short_lead_loss(k, 0.4, 8.0)
    at_twenty = formulas._short_lead_chain(k, 0.4, 20.0, None)  # the chain itself, no cap
    assert at_twenty == pytest.approx(at_eight, rel=1e-5)
    low = formulas._short_lead_chain(np.array([-10.0]), 0.4, 20.0, None)
    assert low[0] == pytest.approx(formulas.lost_sales_short_lead_loss(-10.0, 0.4, 8.0), rel=0.005)
    assert formulas.lost_sales_short_lead_loss(k, 0.4, 20.0) == pytest.approx(at_eight, rel=1e-12)


def test_level_meets_the_target_of_the_chain() -> None:
    rng = np.random.default_rng(4)
    n = 40
    mean = rng.uniform(5.0, 500.0, n)
    sd = mean * rng.uniform(0.05, 1.0, n)
    lead = rng.integers(0, 6, n).astype(float)
    review = lead + rng.integers(1, 8, n)
    beta = rng.uniform(0.6, 0.995, n)
    mu_l, sd_l, mu_r = mean * lead, sd * np.sqrt(lead), mean * review
    sd_p = sd * np.sqrt(lead + review)
    level = formulas.rs_order_up_to_for_fill_rate_lost_sales(
        mu_l + mu_r, sd_p, mu_l, sd_l, mu_r, beta, short_lead=True
    )
    backorder = formulas.rs_order_up_to_for_fill_rate(mu_l + mu_r, sd_p, mu_l, sd_l, mu_r, beta)
    free = level < backorder - 1e-6  # rows where the backorder cap does not bind
    assert free.sum() > 30
    shortage = formulas.lost_sales_cycle_shortage(
        level, mu_l, sd_l, mu_r, sd * np.sqrt(review), short_lead=True
    )
    # table (bilinear in sqrt(r), c; cubic in k) against the direct chain: within 3%
    assert shortage[free] == pytest.approx((1.0 - beta[free]) * mu_r[free], rel=0.03)
    assert np.all(level <= backorder + 1e-6 * (1.0 + np.abs(backorder)))


def test_level_rises_with_the_fill_rate_across_the_extrapolated_range() -> None:
    # very smooth demand (cycle cv 0.2%) at low targets needs k below the table's -10
    beta = np.linspace(0.5, 0.999, 200)
    level = formulas.rs_order_up_to_for_fill_rate_lost_sales(
        1000.0, 2.0, 300.0, 1.0, 700.0, beta, short_lead=True
    )
    assert np.all(np.diff(level) > 0)


def simulated_fill(
    level: float, lead: int, review: int, mean: float, sd: float, paths: int, seed: int
) -> tuple[float, float]:
    """Fill rate of a lost-sales (R, S) system with i.i.d. N(mean, sd^2) daily demand (clipped
    at 0) and its standard error over independent paths: review on days 0, R, 2R, ...
    (order S - on hand - on order, arriving L days later, before that day's demand)."""
    rng = np.random.default_rng(seed)
    days = review * 600
    demand = np.maximum(rng.normal(mean, sd, (paths, days)), 0.0)
    on_hand = np.full(paths, level)
    due = np.zeros((paths, days + lead + 1))
    served, total = np.zeros(paths), np.zeros(paths)
    for t in range(days):
        on_hand += due[:, t]
        if t % review == 0:
            order = np.maximum(level - on_hand - due[:, t + 1 : t + lead + 1].sum(axis=1), 0.0)
            if lead == 0:
                on_hand += order
            else:
                due[:, t + lead] += order
        sold = np.minimum(on_hand, demand[:, t])
        on_hand -= sold
        if t >= 50 * review:  # warm-up
            served += sold
            total += demand[:, t]
    per_path = served / total
    return float(served.sum() / total.sum()), float(per_path.std(ddof=1) / np.sqrt(paths))


@pytest.mark.parametrize(
    ("lead", "review", "cv", "beta"),
    [(3, 7, 0.2, 0.9), (3, 7, 0.3, 0.95), (1, 7, 0.2, 0.95), (1, 4, 0.3, 0.98), (2, 7, 0.2, 0.9)],
)
def test_level_reaches_the_fill_rate_of_a_simulated_lost_sales_system(
    lead: int, review: int, cv: float, beta: float
) -> None:
    mean, sd = 100.0, 100.0 * cv
    args = (mean * (lead + review), sd * np.sqrt(lead + review), mean * lead, sd * np.sqrt(lead))
    level = float(
        formulas.rs_order_up_to_for_fill_rate_lost_sales(
            *args, mean * review, beta, short_lead=True
        )
    )
    fill, se = simulated_fill(level, lead, review, mean, sd, paths=200, seed=lead * 10 + review)
    # the chain is exact for normal demand: within 4 standard errors plus 0.0005 for the
    # table's interpolation (the older cycle model was 0.5-2.2 points over in these cases)
    assert fill == pytest.approx(beta, abs=4.0 * se + 0.0005)
    older = float(formulas.rs_order_up_to_for_fill_rate_lost_sales(*args, mean * review, beta))
    assert older > level
