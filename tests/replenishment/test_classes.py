"""ABC/XYZ classes on a hand-made history."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from replenishment.classes import ClassThresholds, apply_class_targets, classify_abc_xyz


def history() -> pd.DataFrame:
    # four periods, unit prices 1: A=400 (steady), B=60 (cv 1.0 -> Y), C=30, D=10 (one spike)
    rows = {
        "A": [100, 100, 100, 100],
        "B": [30, 0, 30, 0],
        "C": [10, 5, 10, 5],
        "D": [0, 0, 0, 10],
    }
    dates = pd.date_range("2024-01-01", periods=4, freq="7D")
    return pd.concat(
        [
            pd.DataFrame({"sku": s, "location": "X", "date": dates, "units": u})
            for s, u in rows.items()
        ],
        ignore_index=True,
    )


def test_abc_by_cumulative_revenue_and_xyz_by_cv() -> None:
    classes = classify_abc_xyz(history()).set_index("sku")
    # shares: A 400/500 = 0.80 (A), B 0.92 (B), C 0.98 (C), D 1.0 (C)
    assert classes["abc"].to_dict() == {"A": "A", "B": "B", "C": "C", "D": "C"}
    assert classes.loc["A", "cv"] == 0.0
    assert classes.loc["B", "cv"] == pytest.approx(1.0)  # mean 15, std 15
    assert classes.loc["C", "cv"] == pytest.approx(2.5 / 7.5)
    assert classes.loc["D", "cv"] == pytest.approx(4.330127 / 2.5, rel=1e-6)
    assert classes["xyz"].to_dict() == {"A": "X", "B": "Y", "C": "X", "D": "Z"}


def test_unit_value_changes_the_ranking() -> None:
    prices = pd.DataFrame({"sku": ["A", "B", "C", "D"], "unit_price": [1.0, 1.0, 1.0, 100.0]})
    classes = classify_abc_xyz(history(), prices).set_index("sku")
    assert classes.loc["D", "abc"] == "A" and classes.loc["D", "revenue"] == 1000


def test_class_targets_most_specific_wins() -> None:
    classes = classify_abc_xyz(history())
    policy = pd.DataFrame({"sku": ["A", "B", "C", "D"], "location": "X", "service_level": 0.9})
    out = apply_class_targets(policy, classes, {"AX": 0.99, "C": 0.85, "Z": 0.8}).set_index("sku")
    assert out["service_level"].to_dict() == {"A": 0.99, "B": 0.9, "C": 0.85, "D": 0.85}
    with pytest.raises(ValueError, match="strictly between"):
        apply_class_targets(policy, classes, {"A": 1.0})
    with pytest.raises(ValueError):
        ClassThresholds(a_share=0.9, b_share=0.8)


@pytest.mark.parametrize(
    ("targets", "levels", "groups"),
    [
        # no key matches any series: every level and group stays as it was
        ({"BZ": 0.8}, [0.9, 0.9, 0.9, 0.9, 0.9], ["", "", "", "", ""]),
        # only an ABC key: no combined class matches first
        ({"A": 0.98}, [0.98, 0.9, 0.9, 0.9, 0.9], ["A", "", "", "", ""]),
        (
            {"AX": 0.99, "C": 0.85, "Z": 0.8},
            [0.99, 0.9, 0.85, 0.85, 0.9],
            ["AX", "", "C", "C", ""],
        ),
    ],
)
def test_class_targets_raise_no_pandas_warning(
    targets: dict[str, float], levels: list[float], groups: list[str]
) -> None:
    """Every warning an error (pandas' object-dtype fillna downcasting notice was one);
    E has no class (no history) and keeps its level."""
    classes = classify_abc_xyz(history())
    policy = pd.DataFrame({"sku": ["A", "B", "C", "D", "E"], "location": "X", "service_level": 0.9})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = apply_class_targets(policy, classes, targets, as_service_groups=True)
        empty = apply_class_targets(policy.iloc[0:0], classes, targets, as_service_groups=True)
    assert out["service_level"].tolist() == levels
    assert out["service_group"].tolist() == groups
    assert out["service_level"].dtype == float and len(empty) == 0
