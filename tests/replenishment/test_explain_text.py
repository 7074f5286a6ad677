"""The text helpers of the explanations and flags (replenishment/planning.py) on known values."""

from __future__ import annotations

import numpy as np

from replenishment.planning import _fmt, _format_each, _join_tokens


def test_fmt_one_decimal_with_sign_and_missing_values() -> None:
    values = np.array([1.25, 1.35, -0.04, np.nan, np.inf, 1234.56, 1e16, 0.0, 7.0, 7.0])
    # numpy rounds half to even on the scaled value (12.5 -> 12, 13.5 -> 14); -0.04 rounds
    # to -0.0 and keeps its sign; 1e16 is past repr's positional range
    expected = ["1.2", "1.4", "-0.0", "n/a", "n/a", "1234.6", "1e+16", "0.0", "7.0", "7.0"]
    assert _fmt(values).tolist() == expected


def test_format_each_keeps_negative_zero_apart() -> None:
    got = _format_each(np.array([2.0, -0.0, 0.0, 2.5, 2.0]), "g")
    assert got.tolist() == ["2", "-0", "0", "2.5", "2"]
    assert _format_each(np.array([0.95, 0.987]), ".1%").tolist() == ["95.0%", "98.7%"]


def test_join_tokens_in_mask_order() -> None:
    masks = {
        "a": np.array([True, False, True, False]),
        "b": np.array([True, False, False, False]),
        "c": np.array([False, False, True, True]),
    }
    assert _join_tokens(masks, ";", 4) == ["a;b", "", "a;c", "c"]
    assert _join_tokens(masks, ", ", 4)[2] == "a, c"
    assert _join_tokens({}, ";", 2) == ["", ""]
