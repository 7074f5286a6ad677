"""Series that never sold: their own class, and bands replayed on the history's never-sold
series (known answers)."""

import numpy as np
import pandas as pd

from forecasting import ForecastConfig, forecast
from forecasting.cold_start import never_sold_quantiles
from tests.forecasting.helpers import weekly_pattern_history

QS = (0.1, 0.5, 0.9)


def never_sold_train(launched: int, dormant: int, launch_at: int, periods: int) -> pd.DataFrame:
    """`unique_id, ds, y`: `launched` series with no sale before period `launch_at`
    (0-based) and 10 units a period from it, then `dormant` series that never sell."""
    days = pd.date_range("2024-01-01", periods=periods, freq="D")
    launch = np.where(np.arange(periods) >= launch_at, 10.0, 0.0)
    frames = [
        pd.DataFrame({"unique_id": i, "ds": days, "y": launch if i < launched else 0.0})
        for i in range(launched + dormant)
    ]
    return pd.concat(frames, ignore_index=True)


def test_never_sold_band_is_the_conformal_quantile_of_the_replayed_periods() -> None:
    """5 series launch at period 6 (10 a period), 5 never sell; 8 periods (T = 7),
    min_history 2, span 4: origins t = 3..6.
    Step 1: t = 3, 4 give 10 zeros each; t = 5 gives five 10s and 5 zeros; t = 6 only the
    5 never-sold (the launched sold at 6): 5 zeros. n = 35 with five 10s (14% > 10%): p90 is
    rank ceil(36 * 0.9) = 33 of 30 zeros and five 10s = 10; p50 (rank 18), p10 = 0; mean
    50 / 35. Step 2: t = 3..5: 10 zeros, then 5 tens + 5 zeros twice: n = 30, ten 10s,
    p90 rank 28 = 10, mean 100 / 30. Step 3: t = 3, 4: 20 values < MIN_POOL (30): 0."""
    train = never_sold_train(launched=5, dormant=5, launch_at=6, periods=8)
    table = never_sold_quantiles(train, min_history=2, horizon=3, span=4, quantiles=QS)
    np.testing.assert_allclose(table[0], [50 / 35, 0.0, 0.0, 10.0])
    np.testing.assert_allclose(table[1], [100 / 30, 0.0, 0.0, 10.0])
    np.testing.assert_allclose(table[2], [0.0, 0.0, 0.0, 0.0])


def test_never_sold_band_stays_zero_when_launches_are_rare() -> None:
    """1 launch among 10 series: step 1 pools 10 + 10 + (one 10, 9 zeros) + 9 zeros = 39
    values with one sale (2.6%): every quantile is 0 (p90 rank 36 is a zero)."""
    train = never_sold_train(launched=1, dormant=9, launch_at=6, periods=8)
    table = never_sold_quantiles(train, min_history=2, horizon=1, span=4, quantiles=QS)
    np.testing.assert_allclose(table[0], [10 / 39, 0.0, 0.0, 0.0])


def test_forecast_gives_never_sold_series_their_class_and_the_replayed_band() -> None:
    """Daily, min_history 14, 2 selection windows x h 7: span 14, origins t = T - 14 ..
    T - k (T = day index 69). 10 series launch at day 63 (8 a day), 2 never sell (Z0, Z1).
    Step 7 (t = 55..62): t = 55 gives 12 zeros (day 62), t = 56..62 ten 8s and 2 zeros each:
    n = 96, seventy 8s: p10 rank 97 - ceil(97 * 0.9) = 9 = 0, p50 rank 49 = 8, p90 = 8,
    mean 560 / 96. Step 1 (t = 55..68): 7 x 12 zeros, t = 62 ten 8s and 2 zeros, t = 63..68
    the 2 never-sold: n = 108 with ten 8s, p90 rank 99 = 8, p50 = 0."""
    history = weekly_pattern_history(days=70)
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    launch = np.where(np.arange(70) >= 63, 8.0, 0.0)
    extra = [
        pd.DataFrame({"sku": f"N{i}", "location": "L1", "date": days, "units": launch})
        for i in range(10)
    ] + [
        pd.DataFrame({"sku": f"Z{i}", "location": "L1", "date": days, "units": 0.0})
        for i in range(2)
    ]
    config = ForecastConfig(models=("seasonal_naive",), n_windows=2, holiday_country=None)
    result = forecast(pd.concat([history, *extra], ignore_index=True), 7, config=config)
    selection = result.selection.set_index("sku")
    assert selection.loc["Z0", "demand_class"] == "no_sales"
    assert bool(selection.loc["Z0", "cold_start"])
    z = result.forecasts[result.forecasts["sku"] == "Z0"].sort_values("date")
    np.testing.assert_allclose(z[["mean", "p10", "p50", "p90"]].iloc[6], [560 / 96, 0, 8, 8])
    np.testing.assert_allclose(z[["mean", "p10", "p50", "p90"]].iloc[0], [80 / 108, 0, 0, 8])
