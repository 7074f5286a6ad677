"""Cold-start profiles: each peer weighs the same in the shape, whatever it sells."""

import numpy as np
import pandas as pd

from forecasting.cold_start import profile_forecasts

DATES = pd.date_range("2024-03-01", periods=2)
COLUMNS = ["mean", "p10", "p90"]


def _warm() -> pd.DataFrame:
    """Peer A: 1000 a day, band +-10; peer B: 5 then 15 (level 10), band +-50%."""
    return pd.DataFrame(
        {
            "sku": ["A", "A", "B", "B"],
            "location": "L",
            "date": np.tile(DATES, 2),
            "mean": [1000.0, 1000.0, 5.0, 15.0],
            "p10": [990.0, 990.0, 2.5, 7.5],
            "p90": [1010.0, 1010.0, 7.5, 22.5],
        }
    )


def test_a_series_that_sold_gets_the_average_peer_shape_times_its_level() -> None:
    cold = pd.DataFrame({"sku": ["C"], "location": ["L"]})
    out = profile_forecasts(cold, _warm(), COLUMNS, DATES, own_means=pd.Series({("C", "L"): 4.0}))
    # relative to own level: A (1, 1), p10 .99, p90 1.01; B (.5, 1.5), p10 (.25, .75),
    # p90 (.75, 2.25); averaged and times 4 (a unit average would give ~3.98, 4.02)
    np.testing.assert_allclose(out["mean"], [3.0, 5.0])
    np.testing.assert_allclose(out["p10"], [4 * (0.99 + 0.25) / 2, 4 * (0.99 + 0.75) / 2])
    np.testing.assert_allclose(out["p90"], [4 * (1.01 + 0.75) / 2, 4 * (1.01 + 2.25) / 2])
    assert out["profile"].iloc[0] == "location (rescaled to own level)"


def test_a_series_that_never_sold_gets_the_peers_absolute_values() -> None:
    cold = pd.DataFrame({"sku": ["C"], "location": ["L"]})
    out = profile_forecasts(cold, _warm(), COLUMNS, DATES)
    np.testing.assert_allclose(out["mean"], [502.5, 507.5])
    np.testing.assert_allclose(out["p90"], [508.75, 516.25])
