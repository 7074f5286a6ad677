"""Errors raised by the forecasting core on bad input."""

from __future__ import annotations


class ForecastInputError(ValueError):
    """Bad forecasting input. `problems` holds one human line per problem.

    Each line names the column and/or rows at fault, e.g.
    ``"history: column 'units' is missing"`` or
    ``"history rows 3, 7: duplicate (sku, location, date)"``.
    Row numbers are 1-based data rows (row 1 is the first row after a CSV header).
    """

    def __init__(self, problems: list[str]) -> None:
        if not problems:
            raise ValueError("ForecastInputError needs at least one problem")
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))
