"""Building blocks of the daily plan (`supplycast.daily_plan`).

Inputs and parameters, per-step frame builders, core resolution, the run lock.
"""
