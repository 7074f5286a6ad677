"""Cold-start quantiles calibrated on the history's launches by replay (known answers)."""

import numpy as np
import pandas as pd

from forecasting import ForecastConfig, forecast
from forecasting.cold_start import MIN_POOL, launch_ratio_quantiles, profile_forecasts

QS = (0.1, 0.5, 0.9)
DAYS = pd.date_range("2024-01-01", periods=20, freq="D")


def launch_units(r: float, days: int = 20) -> np.ndarray:
    """No sale on day 1, 1 unit on day 2 (the launch), then r units a day."""
    return np.concatenate([[0.0, 1.0], np.full(days - 2, r)])


def launches_train(ratios: list[float], mature: bool = True) -> pd.DataFrame:
    """`unique_id, ds, y`: one launch per ratio (ids 1..), plus (id 0) a series selling
    100 a day from the first date, which is not a launch and must not be replayed."""
    frames = [
        pd.DataFrame({"unique_id": i + 1, "ds": DAYS, "y": launch_units(r)})
        for i, r in enumerate(ratios)
    ]
    if mature:
        frames.append(pd.DataFrame({"unique_id": 0, "ds": DAYS, "y": 100.0}))
    return pd.concat(frames, ignore_index=True)


def test_ratio_quantiles_are_conformal_ranks_of_the_replayed_launches() -> None:
    """39 launches selling 1 then r = 1..39: at age 1 (level 1) the ratio is r at every
    step; conformal ranks with n = 39: p90 the ceil(40 * 0.9) = 36th (36), p50 the 20th
    (20), p10 the 40 - 36 = 4th (4). At age 2 the level is (1 + r) / 2, ratio 2r / (1 + r),
    increasing in r: p90 = 72 / 37."""
    train = launches_train([float(r) for r in range(1, 40)])
    table = launch_ratio_quantiles(train, pd.Index(range(40)), 3, 2, QS)
    assert table.shape == (2, 2, 3)
    np.testing.assert_allclose(table[0, 0], [4.0, 20.0, 36.0])
    np.testing.assert_allclose(table[0, 1], [4.0, 20.0, 36.0])
    np.testing.assert_allclose(table[1, 0], [8.0 / 5.0, 40.0 / 21.0, 72.0 / 37.0])


def test_too_few_launches_fall_back_and_the_pool_minimum_is_inclusive() -> None:
    ratios = [float(r) for r in range(1, MIN_POOL)]  # 29 launches
    few = launch_ratio_quantiles(launches_train(ratios), pd.Index(range(40)), 3, 2, QS)
    assert np.isnan(few).all()
    enough = launch_ratio_quantiles(
        launches_train([*ratios, float(MIN_POOL)]), pd.Index(range(40)), 3, 2, QS
    )
    assert np.isfinite(enough).all()
    # only warm ids are replayed: with half of them left out the pool is too small again
    half = launch_ratio_quantiles(launches_train(ratios), pd.Index(range(15)), 3, 2, QS)
    assert np.isnan(half).all()


def test_fallback_and_older_cold_series_keep_todays_rule() -> None:
    """All-NaN ratios (pools too small), or a series sold for 2 periods: the rows equal
    those without calibration."""
    cold = pd.DataFrame({"sku": ["C"], "location": ["L"]})
    horizon_dates = pd.date_range("2024-01-21", periods=2, freq="D")
    warm = pd.DataFrame(
        {
            "sku": "W",
            "location": "L",
            "date": horizon_dates,
            "mean": 10.0,
            "p10": 8.0,
            "p50": 10.0,
            "p90": 12.0,
        }
    )
    columns = ["mean", "p10", "p50", "p90"]
    own_means = pd.Series({("C", "L"): 5.0})
    spread = pd.DataFrame({"n": [2], "sd": [1.0]}, index=pd.MultiIndex.from_tuples([("C", "L")]))

    def cold_forecast(ratios: np.ndarray | None) -> pd.DataFrame:  # None: no launch replay
        return profile_forecasts(
            cold,
            warm,
            columns,
            horizon_dates,
            own_means=own_means,
            own_spread=spread,
            launch_ratios=ratios,
            quantiles=QS,
        )

    base = cold_forecast(None)
    fallback = cold_forecast(np.full((2, 2, 3), np.nan))
    pd.testing.assert_frame_equal(base, fallback)
    # sold for 2 periods: the Student-t rule is kept even with full pools
    kept = cold_forecast(np.full((2, 2, 3), 3.0))
    pd.testing.assert_frame_equal(base, kept)


def test_forecast_sets_cold_quantiles_to_level_times_ratio_quantiles() -> None:
    """39 launches as above (min_history 3) and a cold series C that sold 5 on the last
    day only (age 1, level 5): its p10/p50/p90 are 5 x (4, 20, 36) on both steps; its
    mean is the peers' profile rescaled to its level (5), unchanged by the calibration;
    quantiles never cross and are >= 0."""
    rows = []
    for r in range(1, 40):
        rows.append(
            pd.DataFrame(
                {"sku": f"S{r:02d}", "location": "L", "date": DAYS, "units": launch_units(r)}
            )
        )
    cold_units = np.zeros(len(DAYS))
    cold_units[-1] = 5.0
    rows.append(pd.DataFrame({"sku": "C", "location": "L", "date": DAYS, "units": cold_units}))
    config = ForecastConfig(
        models=("seasonal_naive",), n_windows=2, min_history=3, holiday_country=None
    )
    result = forecast(pd.concat(rows, ignore_index=True), 2, quantiles=QS, config=config)
    c = result.forecasts.set_index("sku").loc["C"]
    assert (c["model"] == "cold_start_profile").all()
    np.testing.assert_allclose(c["mean"], [5.0, 5.0])
    np.testing.assert_allclose(c["p10"], [20.0, 20.0])
    np.testing.assert_allclose(c["p50"], [100.0, 100.0])
    np.testing.assert_allclose(c["p90"], [180.0, 180.0])
    values = result.forecasts[["p10", "p50", "p90"]]
    assert (values >= 0).all().all()
    assert (values["p10"] <= values["p50"]).all() and (values["p50"] <= values["p90"]).all()
