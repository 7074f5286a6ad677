"""Bad input gets one clear error naming the column or rows."""

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastConfig, ForecastInputError, forecast
from tests.forecasting.helpers import weekly_pattern_history

CFG = ForecastConfig(models=("seasonal_naive",), n_windows=0, holiday_country=None)


def _error(history: pd.DataFrame, horizon: int = 7, **kwargs: object) -> str:
    with pytest.raises(ForecastInputError) as info:
        forecast(history, horizon, config=CFG, **kwargs)  # type: ignore[arg-type]
    return str(info.value)


def test_missing_column() -> None:
    assert "missing column 'units'" in _error(weekly_pattern_history().drop(columns=["units"]))


def test_non_numeric_feature_names_column_and_rows() -> None:
    history = weekly_pattern_history(days=14)
    history["on_promo"] = "0"
    history.loc[3, "on_promo"] = "yes"
    message = _error(history)
    assert "column 'on_promo' is not numeric" in message and "row 4" in message


def test_duplicate_rows() -> None:
    history = weekly_pattern_history(days=14)
    history = pd.concat([history, history.iloc[[2]]], ignore_index=True)
    message = _error(history)
    assert "duplicate (sku, location, date)" in message and "rows 3, 15" in message


def test_horizon_must_be_positive() -> None:
    assert "horizon must be a positive" in _error(weekly_pattern_history(), horizon=0)


def test_bad_date() -> None:
    history = weekly_pattern_history(days=14).astype({"date": str})
    history.loc[5, "date"] = "not-a-date"
    assert "row 6: column 'date' is not a date" in _error(history)


def test_feature_missing_in_future_is_an_error_when_strict() -> None:
    history = weekly_pattern_history(days=28)
    history["on_promo"] = 1.0
    future = pd.DataFrame(
        {"sku": "A", "location": "L1", "date": pd.date_range("2024-01-29", periods=7)}
    )
    message = _error(history, future=future, strict_future=True)
    assert "feature 'on_promo'" in message


def test_a_feature_missing_for_some_future_rows_names_them() -> None:
    history = weekly_pattern_history(days=28, pairs=(("A", "L1"), ("B", "L2")))
    history["on_promo"] = 1.0
    dates = pd.date_range("2024-01-29", periods=7)
    future = pd.DataFrame(
        {"sku": "A", "location": "L1", "date": dates, "on_promo": [1.0] * 6 + [np.nan]}
    )  # B at L2 has no row at all, A lacks its last day
    message = _error(history, future=future, strict_future=True)
    assert (
        "feature 'on_promo' has no future value for 8 series x date rows, e.g. sku A at "
        "location L1 on 2024-02-04, sku B at location L2 on 2024-01-29" in message
    )
    assert "(and 3 more)" in message


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="unknown models"):
        ForecastConfig(models=("prophet",))
    with pytest.raises(ValueError, match="n_windows"):
        ForecastConfig(n_windows=-1)
    for shrinkage in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="selection_shrinkage"):
            ForecastConfig(selection_shrinkage=shrinkage)


def test_backtest_says_when_a_reference_has_no_forecast() -> None:
    """20 days, 2 windows of 7: the first origin has 6 days, less than SeasonalNaive's
    season of 7, so its first step has no forecast for either series."""
    from forecasting.backtest import backtest

    history = weekly_pattern_history(days=20, pairs=(("A", "L1"), ("B", "L2")))
    report = backtest(history, 7, 2, freq="D", config=CFG, references=("seasonal_naive",))
    assert any(
        w.startswith("seasonal_naive: no forecast for 2 of 28 test points") for w in report.warnings
    )


def test_bad_quantiles_are_a_forecast_input_error_naming_each() -> None:
    message = _error(weekly_pattern_history(days=28), quantiles=(0.0, 0.5, 1.5))
    assert "quantile 0.0 must be strictly between 0 and 1" in message
    assert "quantile 1.5 must be strictly between 0 and 1" in message


def test_backtest_too_short_says_how_long_the_history_is() -> None:
    from forecasting.backtest import backtest

    history = weekly_pattern_history(days=20)  # 20 days
    with pytest.raises(
        ForecastInputError,
        match=r"too short for 1 window of 30 periods: it spans 20 periods, the windows need"
        r" at least 32 \(two before the first window\)",
    ):
        backtest(history, 30, 1, freq="D", config=CFG, references=("seasonal_naive",))
    with pytest.raises(ForecastInputError, match="3 windows of 7 periods: it spans 20 .* 23"):
        backtest(history, 7, 3, freq="D", config=CFG, references=("seasonal_naive",))
    # 23 days is enough for 3 windows of 7: two days before the first one
    history = weekly_pattern_history(days=23)
    backtest(history, 7, 3, freq="D", config=CFG, references=("seasonal_naive",))
