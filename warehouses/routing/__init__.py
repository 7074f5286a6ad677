"""Delivery route planning (issue 6): capacities, time windows, shifts, unserved stops.

Entry points: `plan_routes` for real sites (STOPS / VEHICLES frames), `solve_vrplib` for
standard VRPLIB benchmark instances.
"""

from warehouses.routing.plan import Depot, RouteInputError, RoutePlan, plan_routes

__all__ = ["Depot", "RouteInputError", "RoutePlan", "plan_routes"]
