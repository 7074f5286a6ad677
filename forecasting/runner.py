"""Run statsforecast on a long frame, locally or on Dask (statsforecast's fugue backend).

The only module that calls `StatsForecast`. Engine "local" runs in-process with `n_jobs`
processes; engine "dask" converts the frames to Dask DataFrames, which statsforecast
dispatches through fugue to the Dask client in scope (a `distributed.Client` for the given
scheduler address, or a LocalCluster started for the call).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import SeasonalNaive

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Runner:
    """Where statsforecast runs. `engine` is "local" or "dask"; `scheduler_address` is a
    Dask scheduler ("tcp://host:8786") or None for a LocalCluster; `n_jobs` is the number of
    local processes (local engine) or Dask partitions per core (dask engine)."""

    engine: str = "local"
    n_jobs: int = 1
    scheduler_address: str | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        if self.n_jobs < 1:
            raise ValueError("n_jobs must be >= 1")

    def forecast(
        self,
        models: Sequence[Any],
        train: pd.DataFrame,
        horizon: int,
        *,
        freq: str,
        season_length: int,
        future: pd.DataFrame | None = None,
        level: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """statsforecast `forecast`: columns unique_id, ds, one per model alias (+ intervals)."""
        sf = self._statsforecast(models, freq, season_length)
        kwargs: dict[str, Any] = {"h": horizon, "level": list(level) if level else None}
        if self.engine == "local":
            return sf.forecast(df=train, X_df=future, **kwargs)
        with self._dask_client() as npartitions:
            result = sf.forecast(
                df=_to_dask(train, npartitions),
                X_df=None if future is None else _to_dask(future, npartitions),
                **kwargs,
            )
            return _from_dask(result)

    def cross_validation(
        self,
        models: Sequence[Any],
        train: pd.DataFrame,
        horizon: int,
        n_windows: int,
        *,
        freq: str,
        season_length: int,
        refit: bool = True,
        level: Sequence[int] | None = None,
        step_size: int | None = None,
    ) -> pd.DataFrame:
        """statsforecast rolling-origin `cross_validation` (origins `step_size` periods apart,
        default the horizon: windows side by side): unique_id, ds, cutoff, y, one column per
        model alias."""
        sf = self._statsforecast(models, freq, season_length)
        kwargs: dict[str, Any] = {
            "h": horizon,
            "n_windows": n_windows,
            "step_size": step_size or horizon,
            "refit": refit,
            "level": list(level) if level else None,
        }
        if self.engine == "local":
            return sf.cross_validation(df=train, **kwargs)
        with self._dask_client() as npartitions:
            return _from_dask(sf.cross_validation(df=_to_dask(train, npartitions), **kwargs))

    def _statsforecast(self, models: Sequence[Any], freq: str, season_length: int) -> StatsForecast:
        return StatsForecast(
            models=list(models),
            freq=freq,
            n_jobs=self.n_jobs if self.engine == "local" else 1,
            fallback_model=SeasonalNaive(season_length=season_length),
        )

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Keep one Dask client (and LocalCluster) open for several calls; no-op locally."""
        if self.engine != "dask":
            yield
            return
        with self._dask_client():
            yield

    @contextlib.contextmanager
    def _dask_client(self) -> Iterator[int]:
        from distributed import Client, LocalCluster, get_client

        try:  # reuse the client of an enclosing `session()` (or the caller's own)
            client = get_client()
        except ValueError:
            client = None
        if client is not None:
            yield max(1, sum(client.nthreads().values())) * self.n_jobs
            return
        if self.scheduler_address:
            with Client(self.scheduler_address) as client:
                yield max(1, sum(client.nthreads().values())) * self.n_jobs
            return
        shuffle_log = logging.getLogger("distributed.shuffle._scheduler_plugin")
        level = shuffle_log.level
        shuffle_log.setLevel(logging.ERROR)  # "Shuffle ... deactivated": every run, not news
        try:
            with (
                LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                ) as cluster,
                Client(cluster) as client,
            ):
                client.run(_quiet_library_warnings)
                yield max(1, sum(client.nthreads().values())) * self.n_jobs
        finally:
            shuffle_log.setLevel(level)


def _quiet_library_warnings() -> None:
    """In a worker of our own LocalCluster: ignore pandas' deprecation warning about dask's
    internal `groupby.apply` (printed once per task, dozens per forecast, nothing a user can
    act on). A cluster given by address is left as configured."""
    warnings.filterwarnings(
        "ignore",
        message="DataFrameGroupBy.apply operated on the grouping columns",
        category=FutureWarning,
    )


def _to_dask(frame: pd.DataFrame, npartitions: int) -> Any:
    import dask.dataframe as dd

    data = frame.copy()
    data["unique_id"] = data["unique_id"].astype(str)
    return dd.from_pandas(data, npartitions=max(1, min(npartitions, data["unique_id"].nunique())))


def _from_dask(result: Any) -> pd.DataFrame:
    frame = result.compute() if hasattr(result, "compute") else result
    frame = pd.DataFrame(frame).reset_index(drop=True)
    frame["unique_id"] = frame["unique_id"].astype("int64")
    for column in frame.columns:
        if column in ("ds", "cutoff"):
            frame[column] = pd.to_datetime(frame[column])
        elif column != "unique_id":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    keys = ["unique_id", "cutoff", "ds"] if "cutoff" in frame.columns else ["unique_id", "ds"]
    return frame.sort_values(keys).reset_index(drop=True)
