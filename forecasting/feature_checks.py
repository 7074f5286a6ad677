"""Features that mark the periods without sales: a check for sales recorded into a feature.

A feature that is 0 in (nearly) every period without a sale and non-zero in (nearly) every
period with one tells a model which periods sell. That is right for a feature known ahead
(a store's opening calendar: closed days sell nothing), and a leak for one recorded from
the sales themselves: Stallion's `price_actual` is revenue / volume, 0 in 96% of the 2,551
months without sales and in 0.7% of the 18,449 with sales, so its "future values" in a
backtest say which months sell. Forecasts look better in the backtest than they can be,
and in production the future values cannot be known. The data cannot say which case it
is, so the check warns and names the feature; it never drops it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

# Periods needed on each side (with and without sales) before the shares mean anything.
MIN_PERIODS = 20
# A feature marks the periods without sales when it is 0 in at least this share of them...
IDLE_ZERO_SHARE = 0.9
# ...and in at most this share of the periods with sales.
SOLD_ZERO_SHARE = 0.05


def features_marking_zero_sales(history: pd.DataFrame, features: Sequence[str]) -> list[str]:
    """Warnings naming each feature of `history` (columns `units` and the features, one row
    per series and period as given, units >= 0) that is 0 in at least `IDLE_ZERO_SHARE` of
    the periods with units == 0 and in at most `SOLD_ZERO_SHARE` of the periods with
    units > 0, over the rows where the feature has a value, with at least `MIN_PERIODS`
    rows on each side. E.g. a price that is 0 exactly when nothing sold, over 30 rows
    without and 70 with sales, is named; a promotion flag (0 on most days either way) is
    not."""
    out: list[str] = []
    idle = history["units"].to_numpy() == 0
    for feature in features:
        values = history[feature]
        given = values.notna().to_numpy()
        is_zero = (values == 0).to_numpy()
        n_idle = int((given & idle).sum())
        n_sold = int((given & ~idle).sum())
        if n_idle < MIN_PERIODS or n_sold < MIN_PERIODS:
            continue
        # a missing value is never == 0, so `is_zero` counts given values only
        idle_share = (is_zero & idle).sum() / n_idle
        sold_share = (is_zero & ~idle).sum() / n_sold
        if idle_share >= IDLE_ZERO_SHARE and sold_share <= SOLD_ZERO_SHARE:
            out.append(
                f"feature '{feature}' is 0 in {idle_share:.0%} of the {n_idle:,} history"
                f" periods without sales and in {sold_share:.1%} of the {n_sold:,} with"
                " sales: it marks the periods that sell. Its future values must be known"
                " ahead (a planned price, an opening calendar), not recorded from the sales,"
                " or the forecast and its backtest are told which periods sell"
            )
    return out
