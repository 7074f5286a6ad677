"""The Newton solvers of replenishment/formulas.py against hand values and scipy.

inverse_standard_normal_loss and rs_order_up_to_for_fill_rate solve by safeguarded Newton
(they used a fixed 60-step bisection); their roots are checked here against values computed
without formulas.py: scipy's normal pdf / sf, quad integrals and brentq roots.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from replenishment import formulas


def scipy_loss(z: float) -> float:
    """L(z) = E[(Z - z)^+] as the integral of (x - z) phi(x) over x > z (scipy quad)."""
    value, _ = integrate.quad(lambda x: (x - z) * stats.norm.pdf(x), z, np.inf, epsabs=1e-14)
    return float(value)


def scipy_shortage(level: float, mean: float, sd: float) -> float:
    """E[(D - level)^+] for D ~ N(mean, sd^2) (sd = 0: (mean - level)^+), scipy's pdf / sf."""
    if sd == 0:
        return max(mean - level, 0.0)
    z = (level - mean) / sd
    return float(sd * (stats.norm.pdf(z) - z * stats.norm.sf(z)))


def test_standard_normal_loss_hand_values() -> None:
    # L(z) = phi(z) - z (1 - Phi(z)): phi(0) = 0.39894228; phi(1) - 0.15865525 = 0.08331547;
    # phi(2) - 2 x 0.02275013 = 0.00849070 (normal table values)
    got = formulas.standard_normal_loss(np.array([0.0, 1.0, 2.0]))
    np.testing.assert_allclose(got, [0.39894228, 0.08331547, 0.00849070], atol=5e-9)


@pytest.mark.parametrize("z", [-6.0, -1.5, 0.0, 0.7, 2.5, 5.0])
def test_standard_normal_loss_matches_a_quad_integral(z: float) -> None:
    assert float(formulas.standard_normal_loss(z)) == pytest.approx(scipy_loss(z), rel=1e-9)


def test_inverse_loss_hand_values() -> None:
    got = formulas.inverse_standard_normal_loss(np.array([0.39894228, 0.08331547, 0.00849070]))
    np.testing.assert_allclose(got, [0.0, 1.0, 2.0], atol=1e-7)


def test_inverse_loss_round_trips_on_a_grid_with_extremes() -> None:
    loss = np.concatenate([np.geomspace(1e-12, 7.99, 400), [8.0, 12.5, 50.0]])
    z = formulas.inverse_standard_normal_loss(loss)
    np.testing.assert_allclose(formulas.standard_normal_loss(z), loss, rtol=1e-11)
    # at and above 8 the answer is -loss (L(-x) = x + L(x), L(x) < 1e-16 there)
    np.testing.assert_array_equal(z[-3:], [-8.0, -12.5, -50.0])
    assert np.all(np.diff(z) < 0)  # L decreasing: larger loss, smaller z


@pytest.mark.parametrize("loss", [1e-12, 1e-6, 0.01, 0.39894228, 1.3, 7.0])
def test_inverse_loss_matches_scipy_brentq(loss: float) -> None:
    root = optimize.brentq(
        lambda z: stats.norm.pdf(z) - z * stats.norm.sf(z) - loss, -8, 8, xtol=1e-14, rtol=1e-15
    )
    assert float(formulas.inverse_standard_normal_loss(loss)) == pytest.approx(root, abs=1e-10)


def test_inverse_loss_keeps_its_shape_and_its_bounds() -> None:
    got = formulas.inverse_standard_normal_loss(np.array([[1e-30, 0.0], [0.5, 8.0]]))
    assert got.shape == (2, 2)
    # below L(8) ~ 7.9e-17 (and at 0) the bracket's top, 8
    np.testing.assert_allclose(got[0], [8.0, 8.0], atol=1e-12)
    assert got[1, 1] == -8.0


# (mu_P, sd_P, mu_L, sd_L, mu_R, beta): review long / short against the lead time, no lead
# time, a deterministic lead-time demand, low and very high fill rates
RS_CASES = [
    (100.0, 20.0, 30.0, 10.0, 70.0, 0.95),
    (150.0, 30.0, 140.0, 29.0, 10.0, 0.98),
    (70.0, 15.0, 0.0, 0.0, 70.0, 0.9),
    (80.0, 12.0, 40.0, 0.0, 40.0, 0.99),
    (500.0, 250.0, 450.0, 240.0, 50.0, 0.5),
    (12.0, 3.0, 4.0, 1.5, 8.0, 1 - 1e-6),
    (1.2, 2.0, 0.4, 1.0, 0.8, 0.01),
]


@pytest.mark.parametrize("case", RS_CASES)
def test_rs_order_up_to_matches_scipy_brentq(case: tuple[float, ...]) -> None:
    mu_p, sd_p, mu_l, sd_l, mu_r, beta = case
    target = (1 - beta) * mu_r

    def excess(level: float) -> float:
        return scipy_shortage(level, mu_p, sd_p) - scipy_shortage(level, mu_l, sd_l) - target

    root = optimize.brentq(
        excess, min(mu_l, mu_p) - 12 * sd_p - 1, mu_p + 12 * sd_p + 1, xtol=1e-12, rtol=1e-15
    )
    got = float(formulas.rs_order_up_to_for_fill_rate(*case))
    assert got == pytest.approx(root, rel=1e-9, abs=1e-9 * sd_p)


def test_rs_order_up_to_broadcasts_rows_against_fill_rates() -> None:
    columns = [np.array([[case[i]] for case in RS_CASES]) for i in range(5)]  # [n, 1] each
    beta = np.array([[0.6, 0.9, 0.99]])
    got = formulas.rs_order_up_to_for_fill_rate(*columns, beta)
    assert got.shape == (len(RS_CASES), 3)
    one = formulas.rs_order_up_to_for_fill_rate(*RS_CASES[0][:5], 0.9)
    assert got[0, 1] == pytest.approx(float(one), rel=1e-12)
    assert np.all(np.diff(got, axis=1) > 0)  # a higher fill rate needs more stock


def test_rs_order_up_to_without_spread_is_the_mean_less_the_allowed_shortage() -> None:
    # sd_P = sd_L = 0: ESC(S) = (mu_P - S)^+ - (mu_L - S)^+ = mu_P - S for mu_L <= S <= mu_P
    got = formulas.rs_order_up_to_for_fill_rate(100.0, 0.0, 30.0, 0.0, 70.0, 0.9)
    assert float(got) == pytest.approx(93.0, abs=1e-10)
