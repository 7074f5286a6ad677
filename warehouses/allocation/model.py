"""The allocation integer program as sparse arrays (model of issue 5, docs/allocation.md).

Variables, in this order:
- x[k] >= 0 integer: units of sku s shipped from origin i to destination j, one per "arc" k
  where lane (i, j) exists, i has stock of s and j has a need for s;
- u[r] >= 0 integer: units left unmet of need row r (0 <= u[r] <= need[r]);
- y[l] in {0, 1}: lane l is used (only with a minimum shipment);
- t[s] >= 0 integer: total units of sku s shipped to reachable fronts (only with fairness).

Constraints (rows of A, with row bounds):
- supply:      sum_j x[s,i,j] <= a[s,i]
- need:        sum_i x[s,i,f] + sum_{r at (s,f)} u[r] = n[s,f]
- lane:        sum_s x[s,i,j] <= cap[i,j]                       (finite capacities only)
- site:        sum_s sum_i x[s,i,f] <= K[f]
- min shipment: sum_s x[s,l] - M_l y[l] <= 0 and sum_s x[s,l] - m y[l] >= 0
- fairness:    t[s] - sum x[s,.,.] = 0 and, per reachable front f of s,
               sum_i x[s,i,f] - (n[s,f] / N[s]) t[s] >= -gap * n[s,f] - 1
               (stored multiplied by N[s], so that every coefficient is an integer)
Objective: minimize sum c[i,j] x[s,i,j] + sum p[r] u[r].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from warehouses.allocation.options import AllocationOptions
from warehouses.allocation.outages import OperatingNetwork


@dataclass(frozen=True)
class AllocationModel:
    """Sparse MILP: minimize objective @ v s.t. row_lower <= A v <= row_upper, bounds, integer.

    arcs: sku, origin, destination, cost_per_unit (row k = variable x[k]);
    shortages: need rows (sku, location, served_at, need, shortage_cost), row r = u[r];
    lanes_used: origin, destination of the y variables.
    """

    arcs: pd.DataFrame
    shortages: pd.DataFrame
    lanes_used: pd.DataFrame
    n_skus_fair: int
    lower: np.ndarray
    upper: np.ndarray
    objective: np.ndarray
    integer: np.ndarray
    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray

    @property
    def n_arcs(self) -> int:
        return len(self.arcs)

    @property
    def n_shortages(self) -> int:
        return len(self.shortages)


def _positions(keys: pd.DataFrame, query: pd.DataFrame) -> np.ndarray:
    """Row position in `keys` of each row of `query` (same columns); -1 where absent."""
    columns = list(keys.columns)
    table = keys.assign(_position=np.arange(len(keys)))
    found = (
        query[columns]
        .astype(object)
        .merge(table.astype({c: object for c in columns}), on=columns, how="left")
    )
    return found["_position"].fillna(-1).to_numpy(dtype=np.int64)


class _Rows:
    """Accumulates sparse rows as COO triplets."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.count = 0

    def add(
        self,
        row: np.ndarray,
        col: np.ndarray,
        val: np.ndarray | float,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        n_rows: int,
    ) -> None:
        """Add `n_rows` rows; `row` holds 0-based ids within this block."""
        self.rows.append(np.asarray(row, dtype=np.int64) + self.count)
        self.cols.append(np.asarray(col, dtype=np.int64))
        self.vals.append(np.broadcast_to(np.asarray(val, dtype=float), (len(row),)).copy())
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n_rows,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n_rows,)).copy())
        self.count += n_rows

    def matrix(self, n_cols: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        if not self.rows:
            return sp.csr_matrix((0, n_cols)), np.zeros(0), np.zeros(0)
        matrix = sp.coo_matrix(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(self.count, n_cols),
        ).tocsr()
        return matrix, np.concatenate(self.lower), np.concatenate(self.upper)


def build_model(network: OperatingNetwork, options: AllocationOptions) -> AllocationModel:
    """Build the sparse integer program of the module docstring for `network`."""
    shortages = network.needs.reset_index(drop=True)
    servable = shortages[shortages["served_at"].notna() & (shortages["need"] > 0)]
    demand = (
        servable.groupby(["sku", "served_at"], sort=True)["need"]
        .sum()
        .rename("total_need")
        .reset_index()
    )
    supply = network.stock[network.stock["available"] > 0]
    arcs = supply.merge(network.lanes, left_on="location", right_on="origin")
    arcs = arcs.merge(demand, left_on=["sku", "destination"], right_on=["sku", "served_at"])
    site_capacity = network.capacity.set_index("location")["free_capacity_units"]
    arc_capacity = arcs["destination"].map(site_capacity).astype(float).fillna(np.inf)
    arc_upper = np.minimum.reduce(
        [
            arcs["available"].to_numpy(float),
            arcs["total_need"].to_numpy(float),
            arcs["capacity_units"].to_numpy(float),
            arc_capacity.to_numpy(),
        ]
    )
    arcs = arcs.assign(upper=arc_upper)
    arcs = arcs[arcs["upper"] > 0].sort_values(["sku", "origin", "destination"])
    arcs = arcs.reset_index(drop=True)
    n_x, n_u = len(arcs), len(shortages)
    x_ids = np.arange(n_x)
    u_ids = n_x + np.arange(n_u)

    lanes_used = arcs[["origin", "destination"]].drop_duplicates().reset_index(drop=True)
    lane_of_arc = _positions(lanes_used, arcs[["origin", "destination"]])
    use_y = options.min_shipment_units > 0
    n_y = len(lanes_used) if use_y else 0
    y_ids = n_x + n_u + np.arange(n_y)
    fair = options.fairness_max_gap is not None
    fair_skus = pd.Index(sorted(arcs["sku"].unique())) if fair else pd.Index([])
    n_t = len(fair_skus)
    t_ids = n_x + n_u + n_y + np.arange(n_t)
    n_vars = n_x + n_u + n_y + n_t

    need_u = shortages["need"].to_numpy(float)
    unservable = shortages["served_at"].isna().to_numpy()
    lower = np.concatenate(
        [np.zeros(n_x), np.where(unservable, need_u, 0.0), np.zeros(n_y), np.zeros(n_t)]
    )
    # t[s] <= total need of s (finite bounds everywhere; SCIP misbehaved with an infinite one)
    sku_total = servable.groupby("sku")["need"].sum()
    t_upper = sku_total.reindex(fair_skus).fillna(0.0).to_numpy(float)
    upper = np.concatenate([arcs["upper"].to_numpy(float), need_u, np.ones(n_y), t_upper])
    objective = np.concatenate(
        [
            arcs["cost_per_unit"].to_numpy(float),
            shortages["shortage_cost"].to_numpy(float),
            np.zeros(n_y),
            np.zeros(n_t),
        ]
    )
    integer = np.ones(n_vars, dtype=bool)

    rows = _Rows()
    # supply: sum_j x[s,i,j] <= a[s,i]
    origins = arcs[["sku", "origin", "available"]].drop_duplicates(["sku", "origin"])
    codes = _positions(origins[["sku", "origin"]].reset_index(drop=True), arcs[["sku", "origin"]])
    rows.add(codes, x_ids, 1.0, -np.inf, origins["available"].to_numpy(float), len(origins))
    # need: sum_i x[s,i,f] + sum_r u[r] = n[s,f]
    need_keys = demand[["sku", "served_at"]]
    arc_need = _positions(
        need_keys, arcs[["sku", "destination"]].set_axis(["sku", "served_at"], axis=1)
    )
    short_need = _positions(need_keys, shortages[["sku", "served_at"]])
    counted = short_need >= 0
    rows.add(
        np.concatenate([arc_need, short_need[counted]]),
        np.concatenate([x_ids, u_ids[counted]]),
        1.0,
        demand["total_need"].to_numpy(float),
        demand["total_need"].to_numpy(float),
        len(demand),
    )
    # lane capacity: sum_s x[s,i,j] <= cap[i,j]
    lane_cap = lanes_used.merge(network.lanes, on=["origin", "destination"], how="left")
    lane_cap_values = lane_cap["capacity_units"].to_numpy(float)
    finite = np.isfinite(lane_cap_values)
    if finite.any():
        block = np.full(len(lanes_used), -1, dtype=np.int64)
        block[finite] = np.arange(int(finite.sum()))
        arc_block = block[lane_of_arc]
        keep = arc_block >= 0
        rows.add(
            arc_block[keep], x_ids[keep], 1.0, -np.inf, lane_cap_values[finite], int(finite.sum())
        )
    # site capacity: sum_s sum_i x[s,i,f] <= K[f]
    if len(site_capacity) and n_x:
        sites = pd.Index(site_capacity.index)
        arc_site = sites.get_indexer(arcs["destination"])
        keep = arc_site >= 0
        rows.add(
            arc_site[keep], x_ids[keep], 1.0, -np.inf, site_capacity.to_numpy(float), len(sites)
        )
    # minimum shipment: m y <= sum_s x[s,l] <= M y
    if use_y and n_y:
        lane_upper = np.minimum(
            np.bincount(lane_of_arc, weights=arcs["upper"].to_numpy(float), minlength=n_y),
            np.where(finite, lane_cap_values, np.inf),
        )
        lane_rows = np.arange(n_y)
        rows.add(
            np.concatenate([lane_of_arc, lane_rows]),
            np.concatenate([x_ids, y_ids]),
            np.concatenate([np.ones(n_x), -lane_upper]),
            -np.inf,
            0.0,
            n_y,
        )
        rows.add(
            np.concatenate([lane_of_arc, lane_rows]),
            np.concatenate([x_ids, y_ids]),
            np.concatenate([np.ones(n_x), -np.full(n_y, float(options.min_shipment_units))]),
            0.0,
            np.inf,
            n_y,
        )
    # fairness: t[s] = sum x[s]; shipped[s,f] - (n[s,f]/N[s]) t[s] >= -gap n[s,f] - 1
    if fair and n_t:
        arc_sku = fair_skus.get_indexer(arcs["sku"])
        rows.add(
            np.concatenate([arc_sku, np.arange(n_t)]),
            np.concatenate([x_ids, t_ids]),
            np.concatenate([-np.ones(n_x), np.ones(n_t)]),
            0.0,
            0.0,
            n_t,
        )
        reachable = demand.iloc[np.unique(arc_need)].reset_index(drop=True)
        arc_front = _positions(
            reachable[["sku", "served_at"]],
            arcs[["sku", "destination"]].set_axis(["sku", "served_at"], axis=1),
        )
        front_sku = fair_skus.get_indexer(reachable["sku"])
        sku_need = np.bincount(
            front_sku, weights=reachable["total_need"].to_numpy(float), minlength=n_t
        )
        front_need = reachable["total_need"].to_numpy(float)
        gap = float(options.fairness_max_gap or 0.0)
        n_front = len(reachable)
        # scaled by N[s] so that every coefficient is an integer (t[s] is integral)
        scale = sku_need[front_sku]
        rows.add(
            np.concatenate([arc_front, np.arange(n_front)]),
            np.concatenate([x_ids, t_ids[front_sku]]),
            np.concatenate([scale[arc_front], -front_need]),
            (-gap * front_need - 1.0) * scale,
            np.inf,
            n_front,
        )
    matrix, row_lower, row_upper = rows.matrix(n_vars)
    return AllocationModel(
        arcs=arcs[["sku", "origin", "destination", "cost_per_unit"]],
        shortages=shortages,
        lanes_used=lanes_used if use_y else lanes_used.iloc[0:0],
        n_skus_fair=n_t,
        lower=lower,
        upper=upper,
        objective=objective,
        integer=integer,
        matrix=matrix,
        row_lower=row_lower,
        row_upper=row_upper,
    )
