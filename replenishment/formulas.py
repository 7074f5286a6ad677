"""Textbook inventory formulas, vectorized over numpy arrays.

Every function works on scalars and on numpy arrays (broadcast elementwise). Units: a
"period" is whatever unit the demand rate is expressed in (a day in the engine); lead times
and review periods are in the same periods.

Sources:
- [SS] Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019), ch. 3-5.
- [SPP] Silver, Pyke & Thomas, *Inventory and Production Management in Supply Chains*,
  4th ed. (2017), ch. 6-7.
- [CM] Chopra & Meindl, *Supply Chain Management*, ch. 12 (safety inventory).
- [ZF] Zheng & Federgruen (1991), "Finding optimal (s, S) policies is about as simple as
  evaluating a single policy", Operations Research 39(4).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

FloatArray = NDArray[np.float64]


_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def standard_normal_loss(z: ArrayLike) -> FloatArray:
    """First-order standard normal loss L(z) = E[(Z - z)^+] = phi(z) - z (1 - Phi(z)).

    [SS eq. C.25]
    """
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore"):
        return _INV_SQRT_2PI * np.exp(-0.5 * z * z) - z * special.ndtr(-z)


def standard_normal_complementary_loss(z: ArrayLike) -> FloatArray:
    """Complementary loss L_bar(z) = E[(z - Z)^+] = z + L(z) [SS eq. C.26]."""
    z = np.asarray(z, dtype=float)
    return z + standard_normal_loss(z)


def inverse_standard_normal_loss(loss: ArrayLike, *, iterations: int = 60) -> FloatArray:
    """The z with L(z) = loss, for loss > 0 (vectorized bisection; L is strictly decreasing).

    For loss >= 8 the answer is -loss (there L(z) = -z + phi(z) + z Phi(z), whose correction
    is below 1e-14); loss <= L(8) gives 8.
    """
    target = np.asarray(loss, dtype=float)
    large = target >= 8.0
    lo = np.full(target.shape, -8.0)
    hi = np.full(target.shape, 8.0)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        too_low = standard_normal_loss(mid) > target  # L(mid) too big -> z must be larger
        lo = np.where(too_low, mid, lo)
        hi = np.where(too_low, hi, mid)
    return np.where(large, -target, 0.5 * (lo + hi))


def sigma_over_lead_time(
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
    demand_mean: ArrayLike,
    lead_time_sd: ArrayLike = 0.0,
) -> FloatArray:
    """Std of demand over a random lead time: sqrt(L sd_d^2 + d^2 sd_L^2) [CM eq. 12.10; SPP 6.10].

    Assumes demand per period i.i.d. (mean d, sd sd_d) and independent of the lead time
    (mean L, sd sd_L), all in periods.
    """
    sd_d = np.asarray(demand_sd, dtype=float)
    lt = np.asarray(lead_time, dtype=float)
    d = np.asarray(demand_mean, dtype=float)
    sd_l = np.asarray(lead_time_sd, dtype=float)
    return np.sqrt(lt * sd_d**2 + d**2 * sd_l**2)


def base_stock_for_cycle_service(
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
    cycle_service_level: ArrayLike,
    lead_time_sd: ArrayLike = 0.0,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Reorder point for a cycle (type 1) service level [CM 12.3; SPP 6.7.5].

    Returns (sigma_ltd, safety_stock, reorder_point) with ss = Phi^-1(alpha) sigma_ltd and
    ROP = d L + ss.
    """
    sigma = sigma_over_lead_time(demand_sd, lead_time, demand_mean, lead_time_sd)
    safety = stats.norm.ppf(np.asarray(cycle_service_level, dtype=float)) * sigma
    mean_ltd = np.asarray(demand_mean, dtype=float) * np.asarray(lead_time, dtype=float)
    return sigma, safety, mean_ltd + safety


def rq_fill_rate(
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
    order_quantity: ArrayLike,
    reorder_point: ArrayLike,
    lead_time_sd: ArrayLike = 0.0,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Type-2 fill rate of an (r, Q) policy with normal lead-time demand [CM eq. 12.6; SPP 7.3].

    Returns (sigma_ltd, expected shortage per cycle ESC = sigma L((r - mu)/sigma), fill rate
    = 1 - ESC / Q).
    """
    sigma = sigma_over_lead_time(demand_sd, lead_time, demand_mean, lead_time_sd)
    mean_ltd = np.asarray(demand_mean, dtype=float) * np.asarray(lead_time, dtype=float)
    esc = sigma * standard_normal_loss((np.asarray(reorder_point, dtype=float) - mean_ltd) / sigma)
    return sigma, esc, 1.0 - esc / np.asarray(order_quantity, dtype=float)


def z_for_fill_rate(
    fill_rate: ArrayLike, demand_per_cycle: ArrayLike, sigma_protection: ArrayLike
) -> FloatArray:
    """Safety factor z for a type-2 fill rate: solve sigma L(z) = (1 - beta) Q [SPP eq. 7.9].

    `demand_per_cycle` is Q for (r, Q) and the mean demand over the review period for (R, S);
    `sigma_protection` is the std of demand over the protection interval (L, or R + L).
    """
    beta = np.asarray(fill_rate, dtype=float)
    sigma = np.asarray(sigma_protection, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        target = (1.0 - beta) * np.asarray(demand_per_cycle, dtype=float) / sigma
    return inverse_standard_normal_loss(np.where(np.isfinite(target), target, 1e9))


def rq_reorder_point_for_fill_rate(
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
    order_quantity: ArrayLike,
    fill_rate: ArrayLike,
    lead_time_sd: ArrayLike = 0.0,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Reorder point of an (r, Q) policy for a type-2 fill rate [CM 12.4; SPP 7.3.3].

    Returns (z, safety_stock, reorder_point); ss may be negative when Q >> sigma_ltd.
    """
    sigma = sigma_over_lead_time(demand_sd, lead_time, demand_mean, lead_time_sd)
    z = z_for_fill_rate(fill_rate, order_quantity, sigma)
    safety = z * sigma
    mean_ltd = np.asarray(demand_mean, dtype=float) * np.asarray(lead_time, dtype=float)
    return z, safety, mean_ltd + safety


def rs_order_up_to_normal(
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    review_period: ArrayLike,
    lead_time: ArrayLike,
    cycle_service_level: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """(R, S) order-up-to level: S = mu (R + L) + z_alpha sd sqrt(R + L) [SPP eq. 7.18].

    Returns (order_up_to_level, safety_stock).
    """
    protection = np.asarray(review_period, dtype=float) + np.asarray(lead_time, dtype=float)
    safety = (
        stats.norm.ppf(np.asarray(cycle_service_level, dtype=float))
        * np.asarray(demand_sd, dtype=float)
        * np.sqrt(protection)
    )
    return np.asarray(demand_mean, dtype=float) * protection + safety, safety


def newsvendor_normal(
    holding_cost: float,
    stockout_cost: float,
    demand_mean: float,
    demand_sd: float,
    lead_time: float = 0.0,
    base_stock_level: float | None = None,
) -> tuple[float, float]:
    """Normal newsvendor (periodic review every period, lead time L -> L+1 periods of demand).

    S* = mu + Phi^-1(p / (p + h)) sigma; cost g(S) = h (S - mu) + (h + p) sigma L(z)
    [SS eq. 4.24, 4.35]. Returns (base_stock_level, expected cost per period).
    """
    periods = lead_time + 1.0
    mu = demand_mean * periods
    sigma = demand_sd * math.sqrt(periods)
    if base_stock_level is None:
        base_stock_level = (
            mu + float(stats.norm.ppf(stockout_cost / (stockout_cost + holding_cost))) * sigma
        )
    z = (base_stock_level - mu) / sigma
    cost = holding_cost * (base_stock_level - mu) + (holding_cost + stockout_cost) * sigma * float(
        standard_normal_loss(z)
    )
    return float(base_stock_level), float(cost)


def newsvendor_normal_explicit(
    revenue: float, purchase_cost: float, salvage_value: float, demand_mean: float, demand_sd: float
) -> tuple[float, float]:
    """Newsvendor with price r, cost c, salvage v: h = c - v, p = r - c [SS 4.3.4].

    Expected profit = (r - c) mu - g(S*). Returns (base_stock_level, expected profit).
    """
    h = purchase_cost - salvage_value
    p = revenue - purchase_cost
    level, cost = newsvendor_normal(h, p, demand_mean, demand_sd)
    return level, (revenue - purchase_cost) * demand_mean - cost


def discrete_newsvendor(
    holding_cost: float, stockout_cost: float, support: ArrayLike, pmf: ArrayLike
) -> tuple[int, float]:
    """Newsvendor with a discrete demand pmf: smallest S with F(S) >= p / (p + h) [SS eq. 4.38].

    Returns (S, expected cost h E[(S - D)^+] + p E[(D - S)^+]).
    """
    values = np.asarray(support, dtype=float)
    probs = np.asarray(pmf, dtype=float)
    order = np.argsort(values)
    values, probs = values[order], probs[order]
    ratio = stockout_cost / (stockout_cost + holding_cost)
    index = int(np.searchsorted(np.cumsum(probs), ratio - 1e-12))
    level = values[min(index, len(values) - 1)]
    cost = holding_cost * np.sum(probs * np.maximum(level - values, 0)) + stockout_cost * np.sum(
        probs * np.maximum(values - level, 0)
    )
    return int(level), float(cost)


def newsvendor_poisson(
    holding_cost: float, stockout_cost: float, demand_mean: float, lead_time: float = 0.0
) -> tuple[int, float]:
    """Poisson newsvendor over L + 1 periods of demand (`demand_mean` per period) [SS 4.3.3]."""
    mu = demand_mean * (lead_time + 1.0)
    top = int(stats.poisson.ppf(1 - 1e-15, mu)) + 1
    support = np.arange(top + 1)
    return discrete_newsvendor(holding_cost, stockout_cost, support, stats.poisson.pmf(support, mu))


def discrete_pmf_newsvendor(
    holding_cost: float, stockout_cost: float, pmf: Mapping[int | str, float]
) -> tuple[int, float]:
    """Discrete newsvendor from a {demand: probability} mapping (e.g. a quantized forecast)."""
    support = [float(k) for k in pmf]
    return discrete_newsvendor(holding_cost, stockout_cost, support, list(pmf.values()))


def economic_order_quantity(
    fixed_cost: float, holding_cost: float, demand_rate: float, order_quantity: float | None = None
) -> tuple[float, float]:
    """EOQ: Q* = sqrt(2 K lambda / h); cost g(Q) = K lambda / Q + h Q / 2 [SS eq. 3.4-3.5].

    Returns (order_quantity, annual cost at that quantity).
    """
    if order_quantity is None:
        order_quantity = math.sqrt(2 * fixed_cost * demand_rate / holding_cost)
    cost = fixed_cost * demand_rate / order_quantity + holding_cost * order_quantity / 2
    return float(order_quantity), float(cost)


def optimal_poisson_ss(
    holding_cost: float, stockout_cost: float, fixed_cost: float, demand_mean: float
) -> tuple[int, int, float]:
    """Optimal (s, S) for periodic review, zero lead time, Poisson demand, backorders [ZF].

    G(y) = h E[(y - D)^+] + p E[(D - y)^+] is the one-period cost at level y; the renewal
    function m(0) = 1 / (1 - p_0), m(j) = sum_{l=1..j} p_l m(j - l) / (1 - p_0) and
    M(n) = sum_{j<n} m(j) give the average cost per period
    c(s, S) = (K + sum_{j=0}^{S-s-1} m(j) G(S - j)) / M(S - s) [ZF eq. 2; SS 4.6.2].
    Zheng & Federgruen's search: start at the myopic minimum y* of G, lower s until
    c(s, y*) <= G(s), then raise S while G(S) <= c, re-tightening s at every improvement.
    Returns (s, S, cost per period).
    """
    top = int(stats.poisson.ppf(1 - 1e-12, demand_mean)) + 1
    support = np.arange(top + 1)
    pmf = stats.poisson.pmf(support, demand_mean)
    cache: dict[int, float] = {}

    def g(y: int) -> float:
        if y not in cache:
            over = np.maximum(y - support, 0)
            under = np.maximum(support - y, 0)
            cache[y] = float(holding_cost * np.dot(pmf, over) + stockout_cost * np.dot(pmf, under))
        return cache[y]

    m: list[float] = [1.0 / (1.0 - pmf[0])]

    def renewal(j: int) -> float:
        while len(m) <= j:
            k = len(m)
            upto = min(k, top)
            total = sum(pmf[lag] * m[k - lag] for lag in range(1, upto + 1))
            m.append(total / (1.0 - pmf[0]))
        return m[j]

    def cost(s: int, big_s: int) -> float:
        n = big_s - s
        numerator = fixed_cost + sum(renewal(j) * g(big_s - j) for j in range(n))
        return numerator / sum(renewal(j) for j in range(n))

    y_star = int(np.argmin([g(y) for y in range(top + 1)]))
    s = y_star - 1
    while cost(s, y_star) > g(s):
        s -= 1
    big_s0 = y_star
    c0 = cost(s, big_s0)
    big_s = big_s0 + 1
    while g(big_s) <= c0:
        if cost(s, big_s) < c0:
            big_s0 = big_s
            while cost(s, big_s0) <= g(s + 1):
                s += 1
            c0 = cost(s, big_s0)
        big_s += 1
    return s, big_s0, c0


def normal_expected_shortage(level: ArrayLike, mean: ArrayLike, sd: ArrayLike) -> FloatArray:
    """E[(D - level)^+] for D ~ N(mean, sd^2) = sd L((level - mean) / sd).

    With sd = 0 it is (mean - level)^+.
    """
    level = np.asarray(level, dtype=float)
    mean = np.asarray(mean, dtype=float)
    sd = np.asarray(sd, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = sd * standard_normal_loss((level - mean) / np.where(sd > 0, sd, 1.0))
    return np.where(sd > 0, loss, np.maximum(mean - level, 0.0))


def rs_order_up_to_for_fill_rate(
    mean_protection: ArrayLike,
    sd_protection: ArrayLike,
    mean_lead: ArrayLike,
    sd_lead: ArrayLike,
    demand_per_review: ArrayLike,
    fill_rate: ArrayLike,
    *,
    iterations: int = 60,
) -> FloatArray:
    """Order-up-to level S of an (R, S) policy for a type-2 fill rate, normal demand.

    The expected shortage of one review cycle is the shortage at its end minus the one
    already there at its start (Hadley & Whitin 1963; Silver, Pyke & Thomas 2017, 7.5):
    ESC(S) = E[(D_{R+L} - S)^+] - E[(D_L - S)^+], solved for ESC(S) = (1 - beta) mu_R by
    vectorized bisection (ESC decreases in S). Without the second term this is the usual
    sigma_{R+L} L(z) approximation, which overstates shortages when R is short against L.
    """
    mu_p = np.asarray(mean_protection, dtype=float)
    sd_p = np.asarray(sd_protection, dtype=float)
    mu_l = np.asarray(mean_lead, dtype=float)
    sd_l = np.asarray(sd_lead, dtype=float)
    target = (1.0 - np.asarray(fill_rate, dtype=float)) * np.asarray(demand_per_review, dtype=float)
    lo = np.minimum(mu_l, mu_p) - 12.0 * sd_p - 1.0
    hi = mu_p + 12.0 * sd_p + 1.0
    lo, hi = np.broadcast_arrays(lo, hi)
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        esc = normal_expected_shortage(mid, mu_p, sd_p) - normal_expected_shortage(mid, mu_l, sd_l)
        short = esc > target  # too much shortage: raise S
        lo = np.where(short, mid, lo)
        hi = np.where(short, hi, mid)
    return 0.5 * (lo + hi)


def lost_sales_cycle_shortage(
    level: ArrayLike,
    mean_lead: ArrayLike,
    sd_lead: ArrayLike,
    mean_review: ArrayLike,
    sd_review: ArrayLike,
    arrival: ArrayLike,
    *,
    nodes: int = 12,
) -> FloatArray:
    """E[(D_R - max(S - D_L, q))^+] for independent normal D_L, D_R (see below).

    Split at D_L = S - q: above it the stock is q, giving P(D_L > S - q) E[(D_R - q)^+]
    in closed form; below it the integrand is smooth and is integrated over
    [mu_L - 8 sd_L, S - q] by Gauss-Legendre quadrature (`nodes` points).
    """
    s_level, mu_l, sd_l, mu_r, sd_r, q = (
        np.asarray(a, dtype=float)
        for a in (level, mean_lead, sd_lead, mean_review, sd_review, arrival)
    )
    s_level, mu_l, sd_l, mu_r, sd_r, q = np.broadcast_arrays(s_level, mu_l, sd_l, mu_r, sd_r, q)
    cut = s_level - q
    safe_sd = np.where(sd_l > 0, sd_l, 1.0)
    above = np.where(sd_l > 0, special.ndtr(-(cut - mu_l) / safe_sd), (mu_l >= cut).astype(float))
    part_above = above * normal_expected_shortage(q, mu_r, sd_r)
    t, v = np.polynomial.legendre.leggauss(nodes)
    a = mu_l - 8.0 * sd_l
    b = np.clip(cut, a, mu_l + 8.0 * sd_l)
    half = 0.5 * (b - a)
    d = (0.5 * (a + b))[..., None] + half[..., None] * t
    density = (
        _INV_SQRT_2PI
        * np.exp(-0.5 * ((d - mu_l[..., None]) / safe_sd[..., None]) ** 2)
        / safe_sd[..., None]
    )
    inner = normal_expected_shortage(s_level[..., None] - d, mu_r[..., None], sd_r[..., None])
    part_below = np.sum(inner * density * v, axis=-1) * half
    deterministic = np.where(mu_l < cut, normal_expected_shortage(s_level - mu_l, mu_r, sd_r), 0.0)
    return part_above + np.where(sd_l > 0, part_below, deterministic)


def rs_order_up_to_for_fill_rate_lost_sales(
    mean_protection: ArrayLike,
    sd_protection: ArrayLike,
    mean_lead: ArrayLike,
    sd_lead: ArrayLike,
    demand_per_review: ArrayLike,
    fill_rate: ArrayLike,
    *,
    iterations: int = 36,
) -> FloatArray:
    """Order-up-to S of an (R, S) policy for a fill rate when unmet demand is lost.

    Cycle accounting (our derivation, stated so it can be checked): the order q placed at a
    review arrives after L; the stock before it, S - q, meets the lead-time demand D_L, so
    just after the arrival the stock is max(S - D_L, q) (lost sales leave no backlog), and
    the review cycle's shortage is (D_R - max(S - D_L, q))^+. In steady state q equals the
    units served per cycle, taken as beta mu_R. With D_L ~ N(mu_L, sd_L^2) and D_R ~
    N(mu_R, sd_P^2 - sd_L^2) independent (lost_sales_cycle_shortage), S solves
    E[shortage] = (1 - beta) mu_R by bisection on [mu_L, mu_P + 12 sd_P + 1] (never below
    the expected lead-time demand). The backorder formula (rs_order_up_to_for_fill_rate)
    overstates lost-sales shortages: with L = 2, R = 1, cv 0.3 a 95% target achieved
    ~97.4% in our simulator, ~95.7% with this one.
    """
    mu_p = np.asarray(mean_protection, dtype=float)
    sd_p = np.asarray(sd_protection, dtype=float)
    mu_l = np.asarray(mean_lead, dtype=float)
    sd_l = np.asarray(sd_lead, dtype=float)
    mu_r = np.asarray(demand_per_review, dtype=float)
    beta = np.asarray(fill_rate, dtype=float)
    mu_p, sd_p, mu_l, sd_l, mu_r, beta = np.broadcast_arrays(mu_p, sd_p, mu_l, sd_l, mu_r, beta)
    sd_r = np.sqrt(np.maximum(sd_p**2 - sd_l**2, 0.0))
    target = (1.0 - beta) * mu_r
    served = beta * mu_r
    lo = mu_l.astype(float).copy()
    hi = (mu_p + 12.0 * sd_p + 1.0).astype(float)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        shortage = lost_sales_cycle_shortage(mid, mu_l, sd_l, mu_r, sd_r, served)
        short = shortage > target
        lo = np.where(short, mid, lo)
        hi = np.where(short, hi, mid)
    return 0.5 * (lo + hi)
