"""Group fill-rate targets: one type-2 fill rate for the demand of several series together.

A planner's "95% fill rate for class B" means 95% of the class's demand units, not 95% on
each item. For a group of periodic-review (R, S) series with fill-rate targets this module
chooses each series' own (implied) fill rate beta_i so that

    sum_i e_i = (1 - beta) sum_i mu_R,i        (the group's expected units short per cycle)

at the minimum total stock value sum_i c_i S_i(e_i), where e_i = (1 - beta_i) mu_R,i is
series i's expected shortage per review cycle, mu_R,i its forecast demand of the cycle
(plan_replenishment passes its fill-rate basis, the protection interval's average cycle
demand d_P R; planning.py step 3),
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
METRIC allocation): each series' curve S_i(e) is sampled at COARSE_POINTS shortage
fractions e / mu_R,i, log-spaced from its ceiling 1 - floor_i down to 1e-6, with the per-row
solver, vectorized in row chunks (CHUNK_ELEMENTS rows x points per call: bounded memory);
the segments between neighbouring points cost dV = c_i dS and remove de of shortage; ratios
dV / de are made non-decreasing along each curve (a running maximum, guarding against
table noise where the sampled curve is not quite convex); all segments of a group are
bought in increasing ratio, starting from every series at its ceiling, until the group's
shortage reaches the target, the last segment partly (linear interpolation); then on finer
grids around each series' answer (coarse steps of x2.7 in e, then REFINE_PASSES: 29%, 7%,
1.7%, 0.4%), since a piecewise-linear optimum sits on grid points for all but one series: 51
level evaluations per series (the first version: 162, the tests' REFERENCE_GRID; the default agrees
with it to 2e-5 of the stock, tests/replenishment/test_group_service.py). The implied fill
rates returned are then fed to the per-row solver, so each series' own level is an exact
per-row answer at its implied fill rate and the group's modelled shortage equals the
target exactly; only the split between series carries the piecewise-linear error (the
objective is flat at the optimum, so the stock is within a small fraction of the minimum).

Floor (P.csv min_fill_rate, default DEFAULT_MIN_FILL_RATE or the group target if lower):
a series never gets an implied fill rate below its floor; its curve starts there, so the
trade can only buy it more stock. Floors raise the group's stock; they never break its
target (the other series make up the rest, up to fill rate 1 - 1e-6 each).
A group of one gets the group target itself.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SMALLEST_SHORT = 1e-6  # smallest shortage fraction e / mu_R sampled (fill rate 1 - 1e-6)
DEFAULT_MIN_FILL_RATE = 0.5  # an item's implied fill rate floor when P.csv gives none
# coarse pass: COARSE_POINTS log-spaced shortage fractions from the row's ceiling
# (1 - its floor) down to SMALLEST_SHORT; refining passes (span, points): each series'
# shortage within [e / span, e x span] of the previous answer
COARSE_POINTS = 15  # steps of x2.7 in e: the first refining span (2.8) covers one step
REFINE_PASSES: tuple[tuple[float, int], ...] = ((2.8, 9), (1.3, 9), (1.07, 9), (1.017, 9))
CHUNK_ELEMENTS = 400_000  # rows x points per call of `level` (bounds the solver's memory)

Level = Callable[[np.ndarray, np.ndarray], np.ndarray]


def group_fill_rates(
    level: Level,
    cycle_demand: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    target: np.ndarray,
    min_fill_rate: np.ndarray | None = None,
    *,
    grid: tuple[int, tuple[tuple[float, int], ...]] = (COARSE_POINTS, REFINE_PASSES),
) -> np.ndarray:
    """Implied fill rate per series so that each group meets its aggregate fill rate at the
    minimum total stock value, with no series below its floor.

    `level(rows, beta)`: the per-row order-up-to level (units) of series `rows` (integer
    positions) for fill rates `beta` of shape [len(rows), k]. `cycle_demand`: mu_R per
    series, units (> 0). `weight`: value per unit (> 0; 1 everywhere minimises units).
    `group`: integer group code per series (>= 0). `target`: the group's fill rate on each
    of its series (equal within a group; in (0, 1)). `min_fill_rate`: each series' floor
    on its implied fill rate, in (0, target] (None: 0.01, no practical floor); a series at
    its floor takes no part in the trade below it: its curve starts at the floor. `grid`:
    (coarse points, refining passes), see the module constants. Returns beta_i per series,
    in [floor_i, 1 - 1e-6].

    A coarse pass of the greedy allocation, then finer passes around each series' previous
    answer: a piecewise-linear optimum sits on grid points, so a pass can be off by one step
    for all but one series.
    """
    n = len(cycle_demand)
    if n == 0:
        return np.zeros(0)
    floor = np.full(n, 0.01) if min_fill_rate is None else np.asarray(min_fill_rate, float)
    high = 1.0 - floor  # each series' largest shortage fraction
    low = SMALLEST_SHORT
    coarse_points, passes = grid
    goal = np.bincount(group, weights=(1.0 - target) * cycle_demand)
    # log-spaced from the ceiling down to `low` (one shared grid when the floors are equal)
    position = np.linspace(0.0, 1.0, coarse_points)[None, :]
    coarse = np.exp(np.log(high)[:, None] * (1.0 - position) + np.log(low) * position)
    fraction = _allocate(level, coarse, cycle_demand, weight, group, goal)
    for span, points in passes:
        steps = np.geomspace(span, 1.0 / span, points)
        fine = np.clip(fraction[:, None] * steps[None, :], low, high[:, None])
        fraction = _allocate(level, fine, cycle_demand, weight, group, goal)
    return 1.0 - np.clip(fraction, low, high)


def _allocate(
    level: Level,
    fractions: np.ndarray,
    cycle_demand: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    goal: np.ndarray,
) -> np.ndarray:
    """Shortage fraction e_i / mu_R,i per series from the greedy allocation on the sample
    points `fractions` ([n, k], non-increasing along each row): every series starts at its
    first point; segments are bought in increasing stock value per unit of shortage removed
    until each group's shortage is down to `goal` (units per cycle, per group code). The
    level curves are evaluated CHUNK_ELEMENTS at a time."""
    n, points = fractions.shape
    value = np.empty((n, points))  # stock value at each point
    step = max(1, CHUNK_ELEMENTS // points)
    for start in range(0, n, step):
        rows = np.arange(start, min(n, start + step))
        value[rows] = weight[rows, None] * level(rows, 1.0 - fractions[rows])
    short = fractions * cycle_demand[:, None]  # [n, k] expected units short per cycle
    removed = np.maximum(short[:, :-1] - short[:, 1:], 0.0)  # shortage a segment removes
    cost = np.maximum(value[:, 1:] - value[:, :-1], 0.0)  # stock value a segment adds
    # a segment that removes nothing (points clipped together at a bound) is never bought;
    # ratio 0 keeps it out of the running maximum below
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(removed > 0, cost / removed, 0.0)
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
