"""Bad input gets one clear error naming the column or rows."""

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


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="unknown models"):
        ForecastConfig(models=("prophet",))
    with pytest.raises(ValueError, match="n_windows"):
        ForecastConfig(n_windows=-1)
    for shrinkage in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="selection_shrinkage"):
            ForecastConfig(selection_shrinkage=shrinkage)
