"""Order suggestions per sku x location from probabilistic forecasts (S.csv form).

Method (all quantities in units, times in days; see docs/replenishment.md):

1. Protection interval P = L + R, where L = lead_time_days and R = review_period_days, or,
   when the policy has `order_days`, the days from as_of to the supplier's next order day
   (R, S on the supplier's order days). For `s_q` / `s_s` (continuous review)
   P = L.
2. mu_P, var_P: forecast mean and variance over [as_of, as_of + P) (protection.py; the
   forecast errors of a series' periods are equicorrelated with rho = error_correlation,
   default 1: the sds of the periods add, i.e. a level error persists over the interval;
   series whose forecast has cumulative quantiles `cum_pNN` from as_of on read var_P and
   var_L from those instead, with no correlation assumption).
   Lead-time variability adds d^2 sd_L^2 with d = mu_P / P, so
   sigma_P = sqrt(var_P + d^2 sd_L^2) -- the sigma_LTD formula of Chopra & Meindl eq. 12.10
   with the forecast's own variance in place of L sd_d^2.
3. Safety factor z: cycle service -> Phi^-1(alpha); fill rate (type 2), order-up-to ->
   S solves E[lost sales per review cycle] = (1 - beta) mu_R in the lost-sales cycle model
   (formulas.lost_sales_cycle_shortage, rs_order_up_to_for_fill_rate_lost_sales) when the
   lead time is fixed (lead time shorter than the review period: the exact chain of
   formulas.lost_sales_short_lead_loss, no order being open at a review); with
   lead_time_std_days > 0 or lost_sales=False the backorder cycle shortage
   E[(D_P - S)^+] - E[(D_L - S)^+] (Hadley &
   Whitin; formulas.rs_order_up_to_for_fill_rate); z = (S - mu_P) / sigma_P;
   fill rate, s_q / s_s -> sigma_L L(z) = (1 - beta) Q [Silver, Pyke & Thomas eq. 7.9].
   Order-up-to fill-rate rows sharing a `service_group` are solved for implied per-row fill
   rates that meet the group's aggregate fill rate at minimum total stock
   (replenishment/group_service.py); each then gets the per-row level at its implied rate.
   Fill-rate basis (order-up-to): the shortage a cycle may have is (1 - beta) d_P R, with
   d_P = mu_P / P the protection interval's average demand per day, not (1 - beta) times
   the protected cycle's own mu_R: the rows are solved for the cycle fill rate
   1 - (1 - beta) d_P R / mu_R, kept within [min(beta, 0.5), 1 - 1e-6]. A fill rate is
   measured over many cycles, and the least stock that loses a given share of them holds
   the same safety factor in cycles of equal spread; equal to mu_R with a level forecast.
4. safety_stock = z sigma_P; order_up_to S = mu_P + safety_stock (s_q / s_s: reorder point
   s = mu_L + z sigma_L, S = s + Q). reorder_point reported for order-up-to is the level
   over the lead time alone, mu_L + z sigma_L.
5. position = on_hand + on_order; raw order = S - position (order-up-to: when position < S;
   s_q: the smallest multiple of Q lifting the position above s, when position <= s; s_s:
   S - position when position <= s).
6. Rounding and constraints in this order: round up to a pack multiple; raise to the MOQ
   (rounded up to a pack multiple); cap so that position + order <= max_units (rounded down
   to a pack multiple; an order the cap pushes below the MOQ is dropped); perishables: cap
   so that position + order <= mu_L + mu_shelf (expected demand until the new units expire:
   lead time plus shelf life), rounded down to packs; no order when as_of is not an order
   day. Orders are never negative.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import special

from replenishment.formulas import (
    rs_order_up_to_for_fill_rate,
    rs_order_up_to_for_fill_rate_lost_sales,
    standard_normal_complementary_loss,
    z_for_fill_rate,
)
from replenishment.group_service import DEFAULT_MIN_FILL_RATE, group_fill_rates
from replenishment.inputs import (
    KEY,
    normalize_forecasts,
    normalize_inventory,
    normalize_policy,
)
from replenishment.protection import prepare_rows, window_demand

SUGGESTION_COLUMNS = [
    "sku",
    "location",
    "order_qty",
    "order_up_to",
    "reorder_point",
    "safety_stock",
    "position",
    "demand_over_protection",
    "flags",
    "explanation",
]


@dataclass(frozen=True)
class ExceptionThresholds:
    """Thresholds for planner flags.

    `excess_factor`: `excess` when position > order_up_to + excess_factor x demand over the
    protection interval. `slow_mover_cover_days`: `slow_mover` when the position covers more
    than this many days of forecast demand (or demand is zero and the position positive).
    """

    excess_factor: float = 1.0
    slow_mover_cover_days: float = 90.0

    def __post_init__(self) -> None:
        if self.excess_factor < 0:
            raise ValueError("excess_factor must be >= 0")
        if self.slow_mover_cover_days <= 0:
            raise ValueError("slow_mover_cover_days must be > 0")


def _days_to_next_order_day(
    as_of: pd.Timestamp, order_days: pd.Series, review: np.ndarray
) -> np.ndarray:
    """Per row: days from as_of to the supplier's next order day (1..7) when the policy has
    order days (they override review_period_days); else review_period_days."""
    out = review.astype(float).copy()
    weekday = as_of.weekday()
    gaps = {}
    for pos, days in enumerate(order_days):
        if not days:
            continue
        if days not in gaps:
            gaps[days] = float(next(k for k in range(1, 8) if (weekday + k) % 7 in days))
        out[pos] = gaps[days]
    return out


def _round_up(qty: np.ndarray, pack: np.ndarray) -> np.ndarray:
    return np.ceil(np.round(qty / pack, 9)) * pack


def _round_down(qty: np.ndarray, pack: np.ndarray) -> np.ndarray:
    return np.floor(np.round(qty / pack, 9)) * pack


def _fmt(values: np.ndarray) -> np.ndarray:
    """One decimal, as text ('n/a' when not finite), object array: repr of the value rounded
    to one decimal (what numpy's astype(str) writes, at a fraction of its cost); each
    distinct value (by its bits, so -0.0 stays "-0.0") is formatted once."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    rounded = np.round(np.where(finite, values, 0.0), 1)
    return np.where(finite, _format_each(rounded, ""), "n/a")  # format(x, "") == repr(x)


def _format_each(values: np.ndarray, spec: str) -> np.ndarray:
    """format(value, spec) per value, object array; each distinct value (by its bits, so
    -0.0 keeps its sign) is formatted once."""
    values = np.ascontiguousarray(values, dtype=float)
    bits, inverse = np.unique(values.view(np.int64), return_inverse=True)
    texts = np.array([format(v, spec) for v in bits.view(np.float64).tolist()], dtype=object)
    return texts[inverse.reshape(values.shape)]


def _join_tokens(masks: dict[str, np.ndarray], separator: str, n: int) -> list[str]:
    """Per row, the names whose mask is true, joined by `separator`: each distinct
    combination of masks is joined once."""
    names = list(masks)
    code = np.zeros(n, dtype=np.int64)
    for bit, name in enumerate(names):
        code |= np.asarray(masks[name], dtype=np.int64) << bit
    combos, inverse = np.unique(code, return_inverse=True)
    texts = [
        separator.join(name for bit, name in enumerate(names) if combo >> bit & 1)
        for combo in combos.tolist()
    ]
    return np.array(texts, dtype=object)[inverse.ravel()].tolist()


def plan_replenishment(
    forecasts: pd.DataFrame,
    inventory: pd.DataFrame,
    policy: pd.DataFrame,
    *,
    as_of: date | None = None,
    thresholds: ExceptionThresholds | None = None,
    details: bool = False,
    lost_sales: bool = True,
    error_correlation: float = 1.0,
) -> pd.DataFrame:
    """Order suggestions, one row per policy sku x location, in S.csv form.

    `forecasts` in F.csv form (`sku, location, date, mean`, quantile columns `pNN`, optional
    `model` / `cold_start`), `inventory` in I.csv form (`sku, location, on_hand[, on_order]`),
    `policy` in P.csv form. `as_of` (the first day whose demand is still to be served)
    defaults to the earliest forecast date. Fill-rate targets of order-up-to policies with
    fixed lead times assume unmet demand is lost, as in the simulator
    (formulas.rs_order_up_to_for_fill_rate_lost_sales); rows with lead_time_std_days > 0, or
    all rows with `lost_sales=False`, use the backorder cycle-shortage formula (Hadley &
    Whitin). `error_correlation` (rho in [0, 1]) is the correlation between the forecast
    errors of two periods of a series: 1 (default) adds the periods' sds (comonotone errors:
    a level error persists over the protection interval), 0 adds their variances
    (independent errors); see replenishment/protection.py. Series whose forecast carries
    cumulative quantile columns `cum_pNN` (quantiles of the total demand from the series'
    first forecast date to each row's end) on every row, with the first row dated as_of,
    take the spread over a window starting at as_of from those instead, and
    `error_correlation` does not apply to them. Order-up-to fill-rate rows with the same
    P.csv `service_group` share one aggregate fill rate (group_service.group_fill_rates).
    With `details=True` extra columns are appended
    (`order_day`, `protection_days`, `z`, `sigma_protection`, `sigma_source`
    (`cumulative_quantiles` or `error_correlation`), `demand_over_lead_time`,
    `expected_spoilage`, `service_group`, `row_fill_rate` (the fill rate the row was solved
    for: its implied one in a group), `fill_basis_demand` (the cycle demand that fill rate is
    a share of, d_P R; order-up-to fill-rate rows, else NaN), `cycle_fill_rate` (the fill
    rate the protected cycle was solved for, 1 - (1 - row_fill_rate) fill_basis_demand /
    demand_per_cycle, within [min(beta, 0.5), 1 - 1e-6]), ...).

    Raises :class:`replenishment.inputs.ReplenishmentInputError` naming the bad rows.
    """
    thresholds = thresholds or ExceptionThresholds()
    pol = normalize_policy(policy)
    inv = normalize_inventory(inventory, pol)
    fc = normalize_forecasts(forecasts)
    n = len(pol)
    if as_of is None:
        as_of_ts = pd.Timestamp(fc.date.min()) if len(fc.date) else pd.Timestamp("1970-01-01")
    else:
        as_of_ts = pd.Timestamp(as_of).normalize()

    key_index = pd.MultiIndex.from_frame(pol[KEY])
    inv_pos = key_index.get_indexer(pd.MultiIndex.from_frame(inv[KEY]))
    on_hand = np.zeros(n)
    on_order = np.zeros(n)
    has_inventory = np.zeros(n, dtype=bool)
    on_hand[inv_pos] = inv["on_hand"].to_numpy()
    on_order[inv_pos] = inv["on_order"].to_numpy()
    has_inventory[inv_pos] = True
    position = on_hand + on_order

    policy_codes = fc.codes_for(pol["sku"], pol["location"])
    unique_codes = np.where(policy_codes >= 0, policy_codes, -1 - np.arange(n))
    fc_series = (
        pd.Index(unique_codes).get_indexer(fc.key) if len(fc.key) else np.array([], np.int64)
    )
    rows = prepare_rows(fc, fc_series, n, as_of_ts, error_correlation)
    has_forecast = np.bincount(rows.series[rows.future], minlength=n) > 0
    cold = np.bincount(rows.series, weights=rows.cold_start.astype(float), minlength=n) > 0

    lead = pol["lead_time_days"].to_numpy()
    lead_sd = pol["lead_time_std_days"].to_numpy()
    review = _days_to_next_order_day(
        as_of_ts, pol["order_days"], pol["review_period_days"].to_numpy()
    )
    order_day = np.array(
        [(not d) or (as_of_ts.weekday() in d) for d in pol["order_days"]], dtype=bool
    )
    continuous = pol["policy_type"].isin(["s_q", "s_s"]).to_numpy()
    protection_days = np.where(continuous, lead, lead + review)
    alpha = pol["service_level"].to_numpy()
    fill_rate_target = (pol["service_type"] == "fill_rate").to_numpy()
    pack = pol["pack_size"].to_numpy()
    moq = pol["moq"].to_numpy()
    max_units = pol["max_units"].to_numpy()
    shelf = pol["shelf_life_days"].to_numpy()
    zeros = np.zeros(n)

    rates = rows.series_rates()
    over_protection = window_demand(rows, zeros, protection_days, rates)
    over_lead = window_demand(rows, zeros, lead, rates)
    review_days = np.where(review > 0, review, 1.0)  # a cycle of at least one day
    over_review = window_demand(rows, zeros, review_days, rates)
    with np.errstate(divide="ignore", invalid="ignore"):
        daily_rate = np.where(protection_days > 0, over_protection.mean / protection_days, 0.0)
        daily_rate = np.where(protection_days > 0, daily_rate, over_review.mean)
    sigma_p = np.sqrt(over_protection.variance + daily_rate**2 * lead_sd**2)
    sigma_l = np.sqrt(over_lead.variance + daily_rate**2 * lead_sd**2)

    # order quantity per cycle for continuous review; demand per cycle for fill rates
    cycle_qty = np.where(
        np.isnan(pol["order_quantity"].to_numpy()),
        np.maximum(over_review.mean, moq),
        pol["order_quantity"].to_numpy(),
    )
    cycle_qty = np.maximum(_round_up(cycle_qty, pack), pack)
    # demand of the review cycle an order protects: the days [L, L + R) after as_of. With a
    # stationary forecast this is d * R; taking the first R days instead would make the fill-rate
    # target (1 - beta) * mu_R zero whenever tomorrow's forecast is zero, and S run to its bound.
    review_cycle_demand = np.maximum(over_protection.mean - over_lead.mean, 0.0)
    # fill-rate basis d_P R (method step 3): a cycle may lose (1 - beta) of the protection
    # interval's average cycle demand, not of its own (used by periodic fill-rate rows only)
    fill_basis_demand = daily_rate * review_days
    demand_per_cycle = np.where(continuous, cycle_qty, review_cycle_demand)
    z = np.asarray(special.ndtri(alpha), dtype=float)  # Phi^-1
    # continuous review with a fill rate: sigma_L L(z) = (1 - beta) Q (periodic rows are solved
    # below, so the one-term formula is not computed for them)
    one_term = fill_rate_target & continuous
    if one_term.any():
        z[one_term] = z_for_fill_rate(
            alpha[one_term], demand_per_cycle[one_term], sigma_p[one_term]
        )
    z = np.where(sigma_p > 0, z, 0.0)
    # a fill rate over a cycle with no expected demand asks nothing: no safety stock
    z = np.where(fill_rate_target & (demand_per_cycle <= 0), 0.0, z)
    # periodic review with a fill rate: exact cycle shortage (end minus start of the cycle)
    periodic_fill = fill_rate_target & ~continuous & (sigma_p > 0) & (demand_per_cycle > 0)
    service_group = pol["service_group"].to_numpy()
    grouped = periodic_fill & (service_group != "")
    row_fill_rate = alpha.copy()  # the fill rate each row is solved for (implied, in a group)
    if periodic_fill.any():
        # lost sales (default) with fixed lead times; a random lead time breaks the model's
        # cycle accounting (and a wider D_L alone can lower its S), so those rows keep the
        # backorder formula, which overstates lost sales (conservative)
        use_lost = periodic_fill & (lead_sd == 0) if lost_sales else np.zeros(n, dtype=bool)
        short_lead = lead < review
        level_inputs = (
            over_protection.mean,
            sigma_p,
            over_lead.mean,
            sigma_l,
            review_cycle_demand,
        )

        def periodic_level(index: np.ndarray, beta: np.ndarray) -> np.ndarray:
            """Order-up-to levels of rows `index` at fill rates `beta` ([m] or [m, k]) on
            their fill_basis_demand (the protected cycle at _cycle_fill_rate)."""
            expand = (slice(None),) + (None,) * (beta.ndim - 1)
            beta = _cycle_fill_rate(
                beta, fill_basis_demand[index][expand], review_cycle_demand[index][expand]
            )
            out = np.empty(beta.shape)
            lost_rows = use_lost[index]
            lost, backorder = lost_rows, ~lost_rows
            if lost.any():  # L < R: no order is open at a review (exact chain)
                mu_p, sd_p, mu_l, sd_l, mu_r = (a[index[lost]][expand] for a in level_inputs)
                out[lost] = rs_order_up_to_for_fill_rate_lost_sales(
                    mu_p, sd_p, mu_l, sd_l, mu_r, beta[lost], short_lead[index[lost]][expand]
                )
            if backorder.any():
                mu_p, sd_p, mu_l, sd_l, mu_r = (a[index[backorder]][expand] for a in level_inputs)
                out[backorder] = rs_order_up_to_for_fill_rate(
                    mu_p, sd_p, mu_l, sd_l, mu_r, beta[backorder]
                )
            return out

        if grouped.any():
            index = np.flatnonzero(grouped)
            codes = pd.factorize(service_group[index])[0]
            unit_cost = pol["unit_cost"].to_numpy()[index]
            no_cost = ~(np.isfinite(unit_cost) & (unit_cost > 0))
            # stock value when every row of the group has a unit cost, else units
            by_units = np.bincount(codes, weights=no_cost.astype(float)) > 0
            weight = np.where(by_units[codes], 1.0, unit_cost)
            # floor on each implied fill rate: P.csv min_fill_rate, blank = the default
            # (DEFAULT_MIN_FILL_RATE, or the group target when that is lower)
            floor = pol["min_fill_rate"].to_numpy()[index]
            floor = np.where(
                np.isnan(floor), np.minimum(DEFAULT_MIN_FILL_RATE, alpha[index]), floor
            )
            row_fill_rate[index] = group_fill_rates(
                lambda rows, beta: periodic_level(index[rows], beta),
                fill_basis_demand[index],
                weight,
                codes,
                alpha[index],
                floor,
            )
        index = np.flatnonzero(periodic_fill)
        level = periodic_level(index, row_fill_rate[index])
        z[index] = (level - over_protection.mean[index]) / sigma_p[index]
    safety = z * sigma_p
    reorder_point = over_lead.mean + z * sigma_l
    # what each periodic fill-rate row's protected cycle was solved for (NaN elsewhere)
    cycle_fill_rate = np.where(
        periodic_fill,
        _cycle_fill_rate(row_fill_rate, fill_basis_demand, review_cycle_demand),
        np.nan,
    )
    order_up_to = np.where(continuous, reorder_point + cycle_qty, over_protection.mean + safety)

    policy_type = pol["policy_type"].to_numpy()
    raw = np.where(position < order_up_to, order_up_to - position, 0.0)
    trigger = position <= reorder_point
    multiples = np.floor(np.maximum(reorder_point - position, 0.0) / cycle_qty) + 1.0
    raw = np.where(policy_type == "s_q", np.where(trigger, multiples * cycle_qty, 0.0), raw)
    raw = np.where(policy_type == "s_s", np.where(trigger, order_up_to - position, 0.0), raw)
    raw = np.where(has_forecast, raw, 0.0)

    qty = np.where(raw > 0, _round_up(raw, pack), 0.0)
    pack_rounded = (qty > 0) & ~np.isclose(qty, raw)
    # worth saying only where it shows: packs > 1 unit, or a whole-unit rounding of >= 0.05
    # (the explanation prints quantities to one decimal: 22.97 -> 23 would read "23.0 -> 23.0")
    rounded_to_packs = pack_rounded & (pack > 1)
    rounded_to_units = pack_rounded & (pack <= 1) & (qty - raw >= 0.05)
    moq_packs = _round_up(moq, pack)
    moq_raised = (qty > 0) & (qty < moq_packs - 1e-9)
    qty = np.where(moq_raised, moq_packs, qty)

    room = _round_down(np.maximum(max_units - position, 0.0), pack)
    capacity_cap = qty > room + 1e-9
    qty = np.where(capacity_cap, room, qty)

    perishable = np.isfinite(shelf)
    after_lead = window_demand(rows, lead, np.where(perishable, shelf, 0.0), rates)
    sell_limit = over_lead.mean + after_lead.mean
    perish_room = _round_down(np.maximum(sell_limit - position, 0.0), pack)
    perishable_cap = perishable & (qty > perish_room + 1e-9)
    qty = np.where(perishable_cap, perish_room, qty)

    below_moq = (qty > 0) & (qty < moq - 1e-9)
    qty = np.where(below_moq, 0.0, qty)
    not_order_day = ~order_day & (qty > 0)
    qty = np.where(order_day, qty, 0.0)
    qty = np.maximum(qty, 0.0)

    # expected spoilage of the stock at arrival (old + new) over the shelf life, normal demand
    stock_at_arrival = np.maximum(position - over_lead.mean, 0.0) + qty
    with np.errstate(divide="ignore", invalid="ignore"):
        z_spoil = (stock_at_arrival - after_lead.mean) / after_lead.sd
        spoilage = np.where(
            perishable & (after_lead.sd > 0),
            after_lead.sd * standard_normal_complementary_loss(z_spoil),
            np.maximum(stock_at_arrival - after_lead.mean, 0.0),
        )
    spoilage = np.where(perishable, spoilage, 0.0)

    stockout_risk = has_forecast & (position < over_lead.mean)
    excess = has_forecast & (
        position > order_up_to + thresholds.excess_factor * over_protection.mean
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(daily_rate > 0, position / daily_rate, np.where(position > 0, np.inf, 0.0))
    slow_mover = has_forecast & (cover > thresholds.slow_mover_cover_days)

    flag_table = {
        "stockout_risk": stockout_risk,
        "excess": excess,
        "slow_mover": slow_mover,
        "cold_start": cold,
        "moq_raised": moq_raised & (qty > 0),
        "capacity_cap": capacity_cap,
        "perishable_cap": perishable_cap,
        "below_moq_dropped": below_moq,
        "not_order_day": not_order_day,
        "no_forecast": ~has_forecast,
        "no_inventory": ~has_inventory,
        "forecast_extrapolated": has_forecast & over_protection.extrapolated,
        "no_quantiles": has_forecast & (not rows.has_quantiles) & ~rows.cumulative,
    }
    flags = _join_tokens(flag_table, ";", n)

    explanation = _explain(
        pol=pol,
        row_fill_rate=row_fill_rate,
        grouped=grouped,
        cycle_fill_rate=cycle_fill_rate,
        cycle_demand=review_cycle_demand,
        basis_demand=fill_basis_demand,
        mu_p=over_protection.mean,
        protection=protection_days,
        lead=lead,
        review=review,
        safety=safety,
        z=z,
        order_up_to=order_up_to,
        reorder_point=reorder_point,
        on_hand=on_hand,
        on_order=on_order,
        raw=raw,
        qty=qty,
        continuous=continuous,
        binding={
            "rounding up to whole packs": rounded_to_packs,
            "rounding up to whole units": rounded_to_units,
            "MOQ": moq_raised & (qty > 0),
            "max units": capacity_cap,
            "shelf life": perishable_cap,
            "MOQ above the remaining room": below_moq,
            "not an order day": not_order_day,
        },
        spoilage=spoilage,
        has_forecast=has_forecast,
    )

    result = pd.DataFrame(
        {
            "sku": pol["sku"],
            "location": pol["location"],
            "order_qty": qty,
            "order_up_to": order_up_to,
            "reorder_point": reorder_point,
            "safety_stock": safety,
            "position": position,
            "demand_over_protection": over_protection.mean,
            "flags": flags,
            "explanation": explanation,
        }
    )
    if details:
        result = result.assign(
            order_day=order_day,
            protection_days=protection_days,
            review_days=review,
            z=z,
            sigma_protection=sigma_p,
            sigma_source=np.where(rows.cumulative, "cumulative_quantiles", "error_correlation"),
            demand_over_lead_time=over_lead.mean,
            demand_per_cycle=demand_per_cycle,
            service_group=service_group,
            row_fill_rate=np.where(fill_rate_target, row_fill_rate, np.nan),
            fill_basis_demand=np.where(periodic_fill, fill_basis_demand, np.nan),
            cycle_fill_rate=cycle_fill_rate,
            expected_spoilage=spoilage,
            on_hand=on_hand,
            on_order=on_order,
        )
    return result


def _cycle_fill_rate(beta: np.ndarray, basis: np.ndarray, cycle: np.ndarray) -> np.ndarray:
    """The fill rate a protected cycle of forecast demand `cycle` is solved for so that it
    loses (1 - beta) x `basis` units: 1 - (1 - beta) basis / cycle, kept within
    [min(beta, DEFAULT_MIN_FILL_RATE), 1 - 1e-6] (fractions; units of basis and cycle alike)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cycle > 0, basis / cycle, 1.0)
    return np.clip(1.0 - (1.0 - beta) * ratio, np.minimum(beta, DEFAULT_MIN_FILL_RATE), 1.0 - 1e-6)


def _explain(
    *,
    pol: pd.DataFrame,
    row_fill_rate: np.ndarray,
    grouped: np.ndarray,
    cycle_fill_rate: np.ndarray,
    cycle_demand: np.ndarray,
    basis_demand: np.ndarray,
    mu_p: np.ndarray,
    protection: np.ndarray,
    lead: np.ndarray,
    review: np.ndarray,
    safety: np.ndarray,
    z: np.ndarray,
    order_up_to: np.ndarray,
    reorder_point: np.ndarray,
    on_hand: np.ndarray,
    on_order: np.ndarray,
    raw: np.ndarray,
    qty: np.ndarray,
    continuous: np.ndarray,
    binding: dict[str, np.ndarray],
    spoilage: np.ndarray,
    has_forecast: np.ndarray,
) -> list[str]:
    """One sentence per suggestion: forecast, safety stock, position, rounding, constraint.

    `row_fill_rate`: the rate each row was solved for (its service level, or its implied fill
    rate where `grouped`). Built column-wise (one text array per piece of the sentence,
    joined per row)."""
    n = len(qty)
    kind = np.where(pol["service_type"].to_numpy() == "fill_rate", "fill rate ", "cycle service ")
    target = kind.astype(object) + _format_each(pol["service_level"].to_numpy(), ".1%")
    group_text = np.full(n, "", dtype=object)
    if grouped.any():
        group_text[grouped] = [
            f" on group {g}'s demand; this item's fill rate {b:.1%}"
            for g, b in zip(
                pol["service_group"].to_numpy()[grouped],
                row_fill_rate[grouped].tolist(),
                strict=True,
            )
        ]
    # a protected cycle busier or quieter than the interval's average is solved at its own
    # cycle fill rate (method step 3); said where it prints differently from the row's rate
    own_cycle = np.isfinite(cycle_fill_rate) & (np.abs(cycle_fill_rate - row_fill_rate) >= 5e-4)
    cycle_text = np.full(n, "", dtype=object)
    if own_cycle.any():
        cycle_text[own_cycle] = [
            f"; this cycle's {c:.1f} units at fill rate {r:.1%}, so it loses"
            f" {1 - b:.1%} of an average cycle's {a:.1f}"
            for c, r, b, a in zip(
                cycle_demand[own_cycle].tolist(),
                cycle_fill_rate[own_cycle].tolist(),
                row_fill_rate[own_cycle].tolist(),
                basis_demand[own_cycle].tolist(),
                strict=True,
            )
        ]
    mu_s, ss_s, s_s, rop_s = _fmt(mu_p), _fmt(safety), _fmt(order_up_to), _fmt(reorder_point)
    oh_s, oo_s, raw_s, q_s = _fmt(on_hand), _fmt(on_order), _fmt(raw), _fmt(qty)
    pos_s = _fmt(on_hand + on_order)
    lead_s = _format_each(lead, "g")
    interval = np.where(
        continuous,
        "the " + lead_s + "-day lead time",
        "the "
        + _format_each(protection, "g")
        + "-day protection interval (lead time "
        + lead_s
        + " + review "
        + _format_each(review, "g")
        + " days)",
    )
    level = np.where(
        continuous, "reorder point " + rop_s + " and order-up-to " + s_s, "order-up-to " + s_s
    )
    constraints = np.array(_join_tokens(binding, ", ", n), dtype=object)
    tail = np.where(constraints != "", "; binding: " + constraints, "")
    spoils = spoilage > 0.05
    spoil = np.full(n, "", dtype=object)
    if spoils.any():
        spoil[spoils] = "; expected spoilage " + _format_each(spoilage[spoils], ".1f") + " units"
    pieces = [
        "Forecast ",
        mu_s,
        " units over ",
        interval,
        " plus safety stock ",
        ss_s,
        " (z=",
        np.array([format(v, ".2f") for v in np.asarray(z, dtype=float).tolist()], dtype=object),
        " for ",
        target,
        group_text,
        cycle_text,
        ") gives ",
        level,
        "; position ",
        pos_s,
        " (on hand ",
        oh_s,
        " + on order ",
        oo_s,
        ") so the raw need is ",
        raw_s,
        " and the order is ",
        q_s,
        tail,
        spoil,
        ".",
    ]
    columns = [itertools.repeat(p) if isinstance(p, str) else p.tolist() for p in pieces]
    sentences = list(map("".join, zip(*columns, strict=False)))  # constants repeat
    if not has_forecast.all():
        none = "No forecast covers the protection interval, so no order is suggested."
        for i in np.flatnonzero(~has_forecast).tolist():
            sentences[i] = none
    return sentences
