"""supplycast: demand forecasting, replenishment, allocation and routing as a daily, reviewed plan.

This package holds the shells around the pure cores (`forecasting`, `replenishment`,
`warehouses`): settings, the command-line interface and the sample-data generator.
"""

__version__ = "0.1.0"
