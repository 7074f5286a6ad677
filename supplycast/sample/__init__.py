"""Synthetic sample network (two regional and eight front warehouses in Shanghai) for the demo.

`generate_sample(SampleConfig(seed=...))` builds it; `write_sample(network, directory)` writes
the CSV files that `supplycast import DIR` reads. Synthetic data: see docs/sample-data.md.
"""

from supplycast.sample.config import SampleConfig
from supplycast.sample.generate import (
    CSV_COLUMNS,
    SampleNetwork,
    generate_sample,
    hash_files,
    write_sample,
)

__all__ = [
    "CSV_COLUMNS",
    "SampleConfig",
    "SampleNetwork",
    "generate_sample",
    "hash_files",
    "write_sample",
]
