"""Quantile levels, their column names and the interval levels statsforecast needs."""

from __future__ import annotations

from collections.abc import Sequence

from forecasting.errors import ForecastInputError


def quantile_column(q: float) -> str:
    """Column name of quantile `q` (a fraction in (0, 1)): `p` + two digits, 0.1 -> `p10`.

    Raises ValueError when `q` is outside (0, 1) or is not a whole percent (0.125 has no
    two-digit name).
    """
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile {q} must be strictly between 0 and 1")
    percent = round(q * 100)
    if abs(percent - q * 100) > 1e-9:
        raise ValueError(f"quantile {q} must be a whole percent (0.01 .. 0.99)")
    return f"p{percent:02d}"


def validate_quantiles(quantiles: Sequence[float]) -> tuple[float, ...]:
    """Sorted, de-duplicated quantiles, each checked by `quantile_column`; raises
    `ForecastInputError` (a ValueError) naming every bad one."""
    try:
        values = tuple(sorted({float(q) for q in quantiles}))
    except (TypeError, ValueError) as exc:
        raise ForecastInputError([f"quantiles {quantiles!r}: not numbers"]) from exc
    if not values:
        raise ForecastInputError(["at least one quantile is needed"])
    problems = []
    for q in values:
        try:
            quantile_column(q)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ForecastInputError(problems)
    return values


def parse_quantiles(text: str) -> tuple[float, ...]:
    """Parse a comma-separated list such as ``"0.1,0.5,0.9"``."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise ValueError(f"quantiles {text!r}: not a comma-separated list of numbers") from exc
    return validate_quantiles(values)


def interval_levels(quantiles: Sequence[float]) -> list[int]:
    """Central-interval levels (percent) whose bounds are the given quantiles.

    Quantile q < 0.5 is the lower bound of the level 100 * (1 - 2q) interval and q > 0.5 the
    upper bound of the level 100 * (2q - 1) one; 0.5 needs no interval.
    """
    levels = {round(abs(2 * q - 1) * 100) for q in quantiles if abs(q - 0.5) > 1e-12}
    return sorted(levels)
