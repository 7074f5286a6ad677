"""Dates read as written (ISO, month-first, day-first, YYYYMMDD; ambiguous ones refused) and
the frequency read from them when none is given."""

import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecasting import ForecastConfig, ForecastInputError, forecast
from forecasting.backtest import backtest
from forecasting.inputs import infer_freq, read_dates, resolve_freq, validate_history
from supplycast.cli import app
from tests.forecasting.helpers import forecast_cli

CFG = ForecastConfig(models=("seasonal_naive",), n_windows=0, holiday_country=None)


def _dates(values: list[object]) -> list[object]:
    parsed, ambiguous = read_dates(pd.Series(values))
    assert ambiguous is None
    return [None if pd.isna(v) else v.date().isoformat() for v in parsed]


def test_read_dates_forms() -> None:
    assert _dates(["2024-01-05", "2024/01/12", None]) == ["2024-01-05", "2024-01-12", None]
    # month-first when it reads the column; day-first where only it does (a day above 12)
    assert _dates(["01/05/2024", "01/31/2024"]) == ["2024-01-05", "2024-01-31"]
    assert _dates(["01.03.2024", "13.03.2024"]) == ["2024-03-01", "2024-03-13"]
    # integers and text of 8 digits are YYYYMMDD (not nanoseconds since 1970)
    assert _dates([20240101, 20240131]) == ["2024-01-01", "2024-01-31"]
    # the local calendar date of each timestamp, offsets mixed across daylight saving
    assert _dates(["2024-03-30T23:30:00+01:00", "2024-04-01T23:30:00+02:00"]) == [
        "2024-03-30",
        "2024-04-01",
    ]
    assert _dates([datetime.date(2024, 2, 29)]) == ["2024-02-29"]
    assert _dates(["2024-01-05", "x"]) == ["2024-01-05", None]  # x: reported as not a date


def test_dates_that_read_both_ways_are_refused_not_guessed() -> None:
    parsed, ambiguous = read_dates(pd.Series(["01.03.2024", "02.03.2024", "12.03.2024"]))
    assert ambiguous == "01.03.2024" and parsed.isna().all()
    history = pd.DataFrame(
        {"sku": "A", "location": "L", "date": ["01.03.2024", "02.03.2024"], "units": [1.0, 2.0]}
    )
    with pytest.raises(ForecastInputError, match="day-first and as month-first.*YYYY-MM-DD"):
        forecast(history, 2, config=CFG)


def _without_sundays(dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return dates[dates.dayofweek != 6]


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (pd.date_range("2024-01-01", periods=30, freq="D"), "D"),
        (pd.date_range("2024-01-01", periods=30, freq="W-MON"), "W"),
        (pd.date_range("2024-01-05", periods=30, freq="W-FRI"), "W"),
        (pd.date_range("2024-01-01", periods=30, freq="MS"), "M"),
        # daily data with gaps (a shop closed on Sundays): the median gap is 1 day
        (_without_sundays(pd.date_range("2024-01-01", periods=60, freq="D")), "D"),
        (pd.DatetimeIndex(["2024-01-01"]), "D"),
    ],
)
def test_infer_freq_from_the_median_gap(dates: pd.DatetimeIndex, expected: str) -> None:
    assert infer_freq(pd.Series(dates.strftime("%Y-%m-%d"))) == expected


def test_resolve_freq_names_an_inferred_weekly_or_monthly_frequency() -> None:
    weekly = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=10, freq="W-MON")})
    code, note = resolve_freq(None, weekly)
    assert code == "W" and note is not None and "weekly" in note
    assert resolve_freq("M", weekly) == ("M", None)  # given: used as given
    daily = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=10)})
    assert resolve_freq(None, daily) == ("D", None)


def test_a_weekly_anchor_must_match_the_dates() -> None:
    mondays = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=4, freq="W-MON")})
    assert resolve_freq("W-MON", mondays) == ("W", None)
    with pytest.raises(ForecastInputError, match="dates fall on MON, not FRI"):
        resolve_freq("W-FRI", mondays)
    with pytest.raises(ForecastInputError, match="'XYZ' is not a weekday"):
        resolve_freq("W-XYZ", mondays)


def _weekly_history() -> pd.DataFrame:
    """Two series of Monday weeks, 20 weeks: A sells 10, 20, 30, ... B 5 every week."""
    dates = pd.date_range("2024-01-01", periods=20, freq="W-MON")
    return pd.concat(
        [
            pd.DataFrame({"sku": "A", "location": "L", "date": dates, "units": 10.0}),
            pd.DataFrame({"sku": "B", "location": "L", "date": dates, "units": 5.0}),
        ],
        ignore_index=True,
    )


def test_forecast_without_freq_on_weekly_dates_forecasts_weeks() -> None:
    result = forecast(_weekly_history(), 3, config=CFG)
    dates = result.forecasts["date"].drop_duplicates().dt.strftime("%Y-%m-%d").tolist()
    # the three Mondays after the last history date (2024-05-13), not three days
    assert dates == ["2024-05-20", "2024-05-27", "2024-06-03"]
    np.testing.assert_allclose(result.forecasts.groupby("sku")["mean"].mean(), [10.0, 5.0])
    assert any("weekly" in w for w in result.warnings)
    # no week was read as 6 days without sales in between
    assert not any("missing periods" in w for w in result.warnings)


def test_backtest_without_freq_on_weekly_dates_backtests_weeks() -> None:
    report = backtest(_weekly_history(), 2, 2, config=CFG, references=("seasonal_naive",))
    chosen = report.points[report.points["role"] == "chosen"]
    assert sorted(chosen["date"].dt.strftime("%Y-%m-%d").unique()) == [
        "2024-04-22",
        "2024-04-29",
        "2024-05-06",
        "2024-05-13",
    ]
    assert any("weekly" in w for w in report.warnings)


def test_whole_number_horizon_required() -> None:
    with pytest.raises(ForecastInputError, match="whole number of periods, got 2.5"):
        forecast(_weekly_history(), 2.5, config=CFG)  # type: ignore[arg-type]
    assert len(forecast(_weekly_history(), np.int64(2), config=CFG).forecasts) == 4


runner = CliRunner()


def test_cli_reads_weekly_compact_dates_and_keeps_na_ids(tmp_path: Path) -> None:
    history = _weekly_history()
    history["date"] = history["date"].dt.strftime("%Y%m%d")
    history.loc[history["sku"] == "B", "location"] = "NA"  # North America, not missing
    path, out = tmp_path / "H.csv", tmp_path / "F.csv"
    history.to_csv(path, index=False)
    result = runner.invoke(
        app, forecast_cli(path, out, 2, "--models", "seasonal_naive", "--windows", "0")
    )
    assert result.exit_code == 0, result.output
    assert "the dates are weekly" in result.output
    f = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert f[["sku", "location"]].drop_duplicates().values.tolist() == [["A", "L"], ["B", "NA"]]
    assert f["date"].unique().tolist() == ["2024-05-20", "2024-05-27"]


def test_cli_names_the_file_of_ambiguous_dates_and_keeps_an_empty_id_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "H.csv"
    path.write_text("sku,location,date,units\nA,L,01.03.2024,1\nA,L,02.03.2024,2\n")
    result = runner.invoke(app, forecast_cli(path, tmp_path / "F", 2))
    assert result.exit_code == 2
    assert f"{path}: column 'date' reads both as day-first and as month-first" in result.output
    path.write_text("sku,location,date,units\nA,NA,2024-01-01,1\nA,,2024-01-02,2\n")
    result = runner.invoke(app, forecast_cli(path, tmp_path / "F", 2))
    assert result.exit_code == 2
    assert f"{path} line 3: column 'location' is empty" in result.output


def _monthly_history(month_end: bool) -> pd.DataFrame:
    """Two series over 2021-2023 with a yearly pattern and noise, dated on each month's
    first day or (`month_end`) its last day."""
    freq = "ME" if month_end else "MS"
    dates = pd.date_range("2021-01-01", periods=36, freq=freq)
    rng = np.random.default_rng(3)
    season = 20 + 8 * np.sin(2 * np.pi * np.arange(36) / 12)
    frames = [
        pd.DataFrame({"sku": sku, "location": "L", "date": dates, "units": scale * season + noise})
        for sku, scale, noise in (
            ("A", 1.0, rng.normal(0, 2, 36)),
            ("B", 3.0, rng.normal(0, 5, 36)),
        )
    ]
    return pd.concat(frames, ignore_index=True)


def test_month_end_dates_forecast_as_their_months() -> None:
    """Monthly data labelled with each month's last day (pandas 'ME', many exports) gives
    the forecasts of the same data labelled with first days, on month-end dates."""
    cfg = ForecastConfig(n_windows=2, holiday_country=None)
    firsts = forecast(_monthly_history(False), 3, config=cfg)
    lasts = forecast(_monthly_history(True), 3, config=cfg)
    assert lasts.forecasts["date"].drop_duplicates().dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
    ]
    columns = ["sku", "mean", "p10", "p50", "p90", "model"]
    pd.testing.assert_frame_equal(lasts.forecasts[columns], firsts.forecasts[columns])
    assert not any("missing periods" in w for w in lasts.warnings)

    report = backtest(_monthly_history(True), 3, 2, config=cfg, references=("seasonal_naive",))
    chosen = report.points[report.points["role"] == "chosen"]
    # cutoffs 2023-06-30 and 2023-09-30: month ends, so no month is dropped or counted twice
    assert sorted(chosen["date"].dt.strftime("%m-%d").unique()) == [
        "07-31",
        "08-31",
        "09-30",
        "10-31",
        "11-30",
        "12-31",
    ]
    reference = backtest(_monthly_history(False), 3, 2, config=cfg, references=("seasonal_naive",))
    pd.testing.assert_frame_equal(report.metrics, reference.metrics)


def test_monthly_dates_mixing_first_and_last_days_are_named() -> None:
    history = _monthly_history(True)
    history.loc[5, "date"] = pd.Timestamp("2021-06-01")
    history.loc[7, "date"] = pd.Timestamp("2021-08-15")
    with pytest.raises(
        ForecastInputError, match=r"rows 6, 8: monthly dates must all be .*most here are the last"
    ):
        forecast(history, 3, freq="M", config=CFG)


def test_quarterly_or_yearly_dates_are_not_read_as_months() -> None:
    """Quarterly rows read as months would get two months without sales between them (the
    forecast a mean of ~1 for a series selling 10-33 a quarter): an error, unless months are
    asked for."""
    dates = pd.date_range("2015-01-01", periods=24, freq="QS")
    history = pd.DataFrame(
        {"sku": "A", "location": "L", "date": dates, "units": np.arange(10.0, 34.0)}
    )
    with pytest.raises(ForecastInputError, match="median 91 days apart"):
        forecast(history, 4, config=CFG)
    with pytest.raises(ForecastInputError, match="median 91 days apart"):
        backtest(history, 2, 2, config=CFG, references=("seasonal_naive",))
    monthly = forecast(history, 4, freq="M", config=CFG)  # asked for: months, zeros between
    assert any("46 missing periods" in w for w in monthly.warnings)


def test_hourly_rows_are_named_as_times_of_day_not_out_of_order() -> None:
    stamps = pd.date_range("2024-01-01", periods=48, freq="h").strftime("%Y-%m-%d %H:%M")
    history = pd.DataFrame({"sku": "A", "location": "L", "date": stamps, "units": 1.0})
    problems = validate_history(history, check_order=True)
    assert problems == [
        "history rows 1, 2, 3, 4, 5 (and 43 more): duplicate (sku, location, date); the dates"
        " carry times of day (e.g. '2024-01-01 00:00' and '2024-01-01 01:00'): supplycast"
        " forecasts days or longer periods, so sum each day's units into one row"
    ]
    # a true duplicate (the same value twice) gets no such hint; an earlier date is still
    # out of order
    plain = pd.DataFrame(
        {
            "sku": "A",
            "location": "L",
            "date": ["2024-01-02", "2024-01-02", "2024-01-01"],
            "units": 1.0,
        }
    )
    assert validate_history(plain, check_order=True) == [
        "history rows 1, 2: duplicate (sku, location, date)",
        "history row 3: dates out of order within (sku, location); sort each series by"
        " ascending date",
    ]


def test_rows_days_apart_on_any_weekday_are_days_not_weeks() -> None:
    """A daily file listing only the days with a sale (a median of 3 days apart here) was
    read as weekly and refused ("weekly dates must all fall on the same weekday")."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=300, freq="D")
    sold = days[rng.random(300) < 0.25]
    history = pd.DataFrame({"sku": "A", "location": "L", "date": sold, "units": 2.0})
    result = forecast(history, 3, config=CFG)
    last = sold[-1]
    assert result.forecasts["date"].tolist() == [last + pd.Timedelta(days=k) for k in (1, 2, 3)]
    assert any("fall on different weekdays: forecasting days" in w for w in result.warnings)
    # a weekly file with one date off its weekday stays weekly, and the row is named
    weekly = _weekly_history()
    weekly.loc[3, "date"] = pd.Timestamp(weekly.loc[3, "date"]) + pd.Timedelta(days=1)
    with pytest.raises(ForecastInputError, match="row 4: weekly dates must all fall on"):
        forecast(weekly, 3, config=CFG)


def test_weeks_listed_only_when_they_sold_are_weeks() -> None:
    """Mondays two or four weeks apart (a weekly file without its zero weeks): a median gap
    of 14 days was read as monthly and refused ("must all be the first day")."""
    mondays = pd.date_range("2024-01-01", periods=60, freq="W-MON")[::2]
    mondays = mondays.delete([3, 9, 15])  # some four weeks apart
    history = pd.DataFrame({"sku": "A", "location": "L", "date": mondays, "units": 4.0})
    result = forecast(history, 2, config=CFG)
    last = mondays[-1]
    assert result.forecasts["date"].tolist() == [last + pd.Timedelta(weeks=k) for k in (1, 2)]
    assert any("the dates are weekly" in w for w in result.warnings)
    # monthly labels stay monthly; one distinct date is daily
    monthly = _monthly_history(False)
    assert resolve_freq(None, monthly)[0] == "M"
    one = pd.DataFrame({"sku": ["A"], "location": ["L"], "date": ["2024-01-01"], "units": [1]})
    assert resolve_freq(None, one) == ("D", None)
