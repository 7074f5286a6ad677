"""Simulated daily demand whose true distribution is known, for calibration benchmarks.

Every sku x location sells, on day t, a count drawn from a known distribution around
mu_t = level_t * weekday profile * yearly wave * promotion lift (units per day):
- smooth: negative binomial, mean mu_t in ~8-60, size 10 (variance mu + mu^2 / 10);
- erratic: negative binomial, mean mu_t in ~3-15, size 1.5 (about 1 day in 9 without a sale);
- intermittent: Poisson, mean mu_t in ~0.1-0.6 (most days without a sale, sales of 1-2);
- lumpy: a sale on a fraction p_t of days (~0.08-0.35, p_t = base x the same multipliers),
  of 1 + a negative binomial (mean 2-10, size 1) units.
The level drifts as a slow random walk on its logarithm (0.5% a day for smooth and erratic
series, none for the sparse ones); promotions run in blocks of 3-7 days on ~6% of days,
multiplying the mean (or the sale probability) by 1.3-2.5. The feature `on_promo` (0/1) is
known for every day, so the future promotions are given to the forecast.

`truth` holds, per day, the distribution's parameters, so that its quantiles (an oracle
that knows mu_t but not the draw) can be set beside a forecast's: see `true_quantiles`.
Quantiles of these counts are the smallest count whose cumulative probability reaches the
level (scipy's `ppf`), so a zero-inflated series has p10 = 0 wherever more than 10% of its
days sell nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

CLASS_SHARES = {"smooth": 0.3, "erratic": 0.2, "intermittent": 0.3, "lumpy": 0.2}
WEEKDAY_PROFILE = np.array([0.9, 0.85, 0.9, 1.0, 1.15, 1.35, 0.85])  # Monday first


def simulate(
    n_series: int, days: int, seed: int = 0, start: str = "2023-01-02"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history, truth): history has columns sku, location, date, units, on_promo; truth has
    sku, location, date, true_class, dist ("nbinom", "poisson" or "zi_nbinom"), mean (units
    per day), size (negative binomial size; NaN for Poisson), p_sale (zero-inflated: the
    probability of a sale that day; else 1) and sale_mean / sale_size (zero-inflated: the
    negative binomial of units - 1 in a sale)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    weekday = dates.dayofweek.to_numpy()
    day_of_year = dates.dayofyear.to_numpy()
    classes = list(CLASS_SHARES)
    counts = np.floor(np.array(list(CLASS_SHARES.values())) * n_series).astype(int)
    counts[0] += n_series - counts.sum()
    history, truth = [], []
    i = 0
    for cls, count in zip(classes, counts, strict=True):
        for _ in range(count):
            i += 1
            promo = _promotions(rng, days)
            lift = rng.uniform(1.3, 2.5)
            weekly = 1 + rng.uniform(0.3, 1.0) * (WEEKDAY_PROFILE - 1)
            wave = 1 + rng.uniform(0, 0.3) * np.sin(
                2 * np.pi * (day_of_year - rng.uniform(0, 365)) / 365.25
            )
            shape = weekly[weekday] * wave * np.where(promo == 1, lift, 1.0)
            drift = 0.005 if cls in ("smooth", "erratic") else 0.0
            level = np.exp(np.cumsum(rng.normal(0, drift, days))) if drift else np.ones(days)
            params = _draw_params(cls, rng, level * shape)
            units = _sample(rng, params)
            key = {"sku": f"S{i:04d}", "location": f"L{i % 7}"}
            history.append(pd.DataFrame({**key, "date": dates, "units": units, "on_promo": promo}))
            truth.append(pd.DataFrame({**key, "date": dates, "true_class": cls, **params}))
    return pd.concat(history, ignore_index=True), pd.concat(truth, ignore_index=True)


def _promotions(rng: np.random.Generator, days: int) -> np.ndarray:
    promo = np.zeros(days, dtype=float)
    for start in np.flatnonzero(rng.random(days) < 0.012):
        promo[start : start + rng.integers(3, 8)] = 1.0
    return promo


def _draw_params(
    cls: str, rng: np.random.Generator, multiplier: np.ndarray
) -> dict[str, np.ndarray | str | float]:
    n = len(multiplier)
    ones, nan = np.ones(n), np.full(n, np.nan)
    if cls == "smooth":
        return {"dist": "nbinom", "mean": rng.uniform(8, 60) * multiplier, "size": 10.0 * ones,
                "p_sale": ones, "sale_mean": nan, "sale_size": nan}  # fmt: skip
    if cls == "erratic":
        return {"dist": "nbinom", "mean": rng.uniform(3, 15) * multiplier, "size": 1.5 * ones,
                "p_sale": ones, "sale_mean": nan, "sale_size": nan}  # fmt: skip
    if cls == "intermittent":
        return {"dist": "poisson", "mean": rng.uniform(0.1, 0.6) * multiplier, "size": nan,
                "p_sale": ones, "sale_mean": nan, "sale_size": nan}  # fmt: skip
    p_sale = np.clip(rng.uniform(0.08, 0.35) * multiplier, 0, 0.95)
    sale_mean = rng.uniform(2, 10) * ones
    return {"dist": "zi_nbinom", "mean": p_sale * (1 + sale_mean), "size": nan,
            "p_sale": p_sale, "sale_mean": sale_mean, "sale_size": ones}  # fmt: skip


def _nbinom(mean: np.ndarray, size: np.ndarray) -> stats.rv_discrete:
    return stats.nbinom(size, size / (size + mean))


def _sample(rng: np.random.Generator, params: dict[str, np.ndarray | str | float]) -> np.ndarray:
    mean = np.asarray(params["mean"], dtype=float)
    if params["dist"] == "nbinom":
        size = np.asarray(params["size"], dtype=float)
        return rng.negative_binomial(size, size / (size + mean)).astype(float)
    if params["dist"] == "poisson":
        return rng.poisson(mean).astype(float)
    p_sale = np.asarray(params["p_sale"], dtype=float)
    sale_mean = np.asarray(params["sale_mean"], dtype=float)
    sale_size = np.asarray(params["sale_size"], dtype=float)
    sale = 1 + rng.negative_binomial(sale_size, sale_size / (sale_size + sale_mean))
    return np.where(rng.random(len(mean)) < p_sale, sale, 0).astype(float)


def true_quantiles(truth: pd.DataFrame, level: float) -> np.ndarray:
    """The `level` quantile (0 < level < 1) of each row's true distribution, in units: the
    smallest count whose cumulative probability is at least `level`."""
    truth = truth.reset_index(drop=True)
    out = np.zeros(len(truth))
    for dist, rows in truth.groupby("dist").groups.items():
        part = truth.loc[rows]
        at = truth.index.get_indexer(rows)
        mean = part["mean"].to_numpy()
        if dist == "nbinom":
            out[at] = _nbinom(mean, part["size"].to_numpy()).ppf(level)
        elif dist == "poisson":
            out[at] = stats.poisson(mean).ppf(level)
        else:
            p_sale = part["p_sale"].to_numpy()
            # P(Y <= y) = (1 - p) + p * P(1 + X <= y): zero where level <= 1 - p
            inner = np.clip((level - (1 - p_sale)) / p_sale, 0, 1)
            sale = 1 + _nbinom(part["sale_mean"].to_numpy(), part["sale_size"].to_numpy()).ppf(
                inner
            )
            out[at] = np.where(level <= 1 - p_sale, 0.0, sale)
    return out


__all__ = ["CLASS_SHARES", "simulate", "true_quantiles"]
