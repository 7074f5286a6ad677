"""Group fill-rate targets: one type-2 fill rate for the demand of several series together.

A planner's "95% fill rate for class B" means 95% of the class's demand units, not 95% on
each item. For a group of periodic-review (R, S) series with fill-rate targets this module
chooses each series' own (implied) fill rate beta_i so that

    sum_i e_i = (1 - beta) sum_i mu_R,i        (the group's expected units short per cycle)

at the minimum total stock value sum_i c_i S_i(e_i), where e_i = (1 - beta_i) mu_R,i is
series i's expected shortage per review cycle, mu_R,i its forecast demand of the cycle,
S_i(e) the order-up-to level that the per-row path gives for shortage e (the same shortage
model: lost-sales cycle model or backorder cycle shortage, with its corrections and cap),
and c_i a weight per unit (unit_cost, or 1 for units).

Derivation (Lagrangian; Silver, Pyke & Thomas 2017, ch. 7 on service across items):
minimise sum c_i S_i(e_i) + lambda (sum e_i - E). S_i decreases and is convex in e_i (each
extra unit of stock removes less shortage than the last), so the optimum has
c_i (-dS_i/de_i) = lambda for every series not at a bound: every series buys shortage
reduction at the same marginal price lambda per unit short. For the backorder model with
L = 0, -dS/de = 1 / P(D > S): the stock-out probability per cycle is c_i / lambda, i.e.
equal safety factors z when the unit weights are equal, and a stock-out probability
proportional to the unit cost otherwise (cheap items are served better). High-cv items
need more stock per unit of shortage removed, so they end with lower implied fill rates.

Solution (greedy marginal analysis, the discrete form of the Lagrangian; Sherbrooke's
METRIC allocation): each series' curve S_i(e) is sampled at FRACTIONS_SHORT (shortage as a
fraction of mu_R,i, log-spaced from 1e-6 to 0.99) with the per-row solver, vectorized; the
segments between neighbouring points cost dV = c_i dS and remove de of shortage; ratios
dV / de are made non-decreasing along each curve (a running maximum, guarding against
table noise where the sampled curve is not quite convex); all segments of a group are
bought in increasing ratio, starting from every series at 99% short, until the group's
shortage reaches the target, the last segment partly (linear interpolation); then twice
more on finer grids around each series' answer (REFINE_SPANS: steps of 1.3%, then 0.1% in
e), since a piecewise-linear optimum sits on grid points for all but one series. The implied
fill rates returned are then fed to the per-row solver, so each series' own level is an
exact per-row answer at its implied fill rate and the group's modelled shortage equals the
target exactly; only the split between series carries the piecewise-linear error (the
objective is flat at the optimum, so the stock is within a small fraction of the minimum).
A group of one gets the group target itself.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

FRACTIONS_SHORT = np.geomspace(0.99, 1e-6, 80)  # e / mu_R sample points, decreasing
# refining passes: each series' shortage within [e / span, e x span] of the previous answer
# at 41 log-spaced points (steps of 1.3%, then 0.1%)
REFINE_SPANS = (1.3, 1.02)
REFINE_POINTS = 41


def group_fill_rates(
    level: Callable[[np.ndarray], np.ndarray],
    cycle_demand: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    target: np.ndarray,
) -> np.ndarray:
    """Implied fill rate per series so that each group meets its aggregate fill rate at the
    minimum total stock value.

    `level(beta)`: the per-row order-up-to level (units) for fill rates `beta` of shape
    [n, k] (row i = series i). `cycle_demand`: mu_R per series, units (> 0). `weight`: value
    per unit (> 0; 1 everywhere minimises units). `group`: integer group code per series
    (>= 0). `target`: the group's fill rate on each of its series (equal within a group; in
    (0, 1)). Returns beta_i per series, in [0.01, 1 - 1e-6].

    Three passes of the greedy allocation: on FRACTIONS_SHORT, then on finer grids around
    each series' previous answer (REFINE_SPANS): a piecewise-linear optimum sits on grid
    points, so a pass can be off by one step for all but one series.
    """
    n = len(cycle_demand)
    if n == 0:
        return np.zeros(0)
    goal = np.bincount(group, weights=(1.0 - target) * cycle_demand)
    coarse = np.broadcast_to(FRACTIONS_SHORT[None, :], (n, len(FRACTIONS_SHORT)))
    first = _allocate(level, coarse, cycle_demand, weight, group, goal)
    low, high = FRACTIONS_SHORT[-1], FRACTIONS_SHORT[0]
    fraction = first
    for span in REFINE_SPANS:
        steps = np.geomspace(span, 1.0 / span, REFINE_POINTS)
        fine = np.clip(fraction[:, None] * steps[None, :], low, high)
        fraction = _allocate(level, fine, cycle_demand, weight, group, goal)
    return 1.0 - np.clip(fraction, low, high)


def _allocate(
    level: Callable[[np.ndarray], np.ndarray],
    fractions: np.ndarray,
    cycle_demand: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    goal: np.ndarray,
) -> np.ndarray:
    """Shortage fraction e_i / mu_R,i per series from the greedy allocation on the sample
    points `fractions` ([n, k], decreasing along each row): every series starts at its first
    point; segments are bought in increasing stock value per unit of shortage removed until
    each group's shortage is down to `goal` (units per cycle, per group code)."""
    n, points = fractions.shape
    value = weight[:, None] * level(1.0 - fractions)  # [n, k] stock value at each point
    short = fractions * cycle_demand[:, None]  # [n, k] expected units short per cycle
    removed = np.maximum(short[:, :-1] - short[:, 1:], 0.0)  # shortage a segment removes
    cost = np.maximum(value[:, 1:] - value[:, :-1], 0.0)  # stock value a segment adds
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(removed > 0, cost / removed, np.inf)
    ratio = np.maximum.accumulate(ratio, axis=1)  # convex hull guard (keeps chain order)
    segments = points - 1
    seg_row = np.repeat(np.arange(n), segments)
    order = np.lexsort((np.tile(np.arange(segments), n), ratio.ravel(), group[seg_row]))
    seg_row = seg_row[order]
    seg_group = group[seg_row]
    seg_removed = removed.ravel()[order]
    need = np.maximum(np.bincount(group, weights=short[:, 0]) - goal, 0.0)
    # cumulative removal within each group (the segments are sorted by group first)
    cumulative = np.cumsum(seg_removed)
    first_of_group = np.searchsorted(seg_group, seg_group, side="left")
    before = np.where(first_of_group > 0, cumulative[first_of_group - 1], 0.0)
    done_before = cumulative - before - seg_removed
    with np.errstate(divide="ignore", invalid="ignore"):
        bought = np.clip((need[seg_group] - done_before) / seg_removed, 0.0, 1.0)
    bought = np.where(seg_removed > 0, bought, 0.0)
    removed_per_row = np.bincount(seg_row, weights=bought * seg_removed, minlength=n)
    return (short[:, 0] - removed_per_row) / cycle_demand
