"""Stock allocation across regional and front warehouses (issue 5; docs/allocation.md)."""

from warehouses.allocation.allocate import allocate_stock
from warehouses.allocation.inputs import AllocationInputError, InputProblem
from warehouses.allocation.options import AllocationOptions
from warehouses.allocation.result import AllocationResult, AllocationSummary

__all__ = [
    "AllocationInputError",
    "AllocationOptions",
    "AllocationResult",
    "AllocationSummary",
    "InputProblem",
    "allocate_stock",
]
