"""plan_routes on tiny hand-checkable cases (known optimum, windows, capacity, unserved)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from warehouses.routing import Depot, RouteInputError, plan_routes

LIMIT = 0.5  # seconds per solve; these instances are solved to optimality almost at once


def _matrix(points: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Planar Euclidean km between named points."""
    names = list(points)
    xy = np.array([points[n] for n in names], dtype=float)
    km = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    return pd.DataFrame(km, index=names, columns=names)


def _stops(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "stop",
            "latitude",
            "longitude",
            "demand_units",
            "window_start",
            "window_end",
            "service_minutes",
        ],
    )


def _vehicles(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["vehicle", "capacity_units", "shift_start", "shift_end", "fixed_cost"]
    )


DEPOT = Depot("W", 52.0, 4.0)


@pytest.fixture(params=["ortools", "pyvrp"])
def engine(request: pytest.FixtureRequest) -> str:
    """Both engines must give the same known answers."""
    return request.param


def _route(plan, vehicle: str) -> list[str]:
    legs = plan.legs[plan.legs["vehicle"] == vehicle].sort_values("sequence")
    return list(legs["stop"])[1:-1]


def test_single_vehicle_finds_the_brute_force_optimal_tour(engine: str) -> None:
    points = {"W": (0, 0), "a": (0, 3), "b": (4, 3), "c": (4, 0), "d": (2, 5), "e": (6, 1)}
    km = _matrix(points)
    stops = _stops([(s, 52.0, 4.0, 1, "08:00", "18:00", 0) for s in "abcde"])
    plan = plan_routes(
        stops,
        _vehicles([("v1", 10, "08:00", "18:00", 0)]),
        DEPOT,
        time_limit_seconds=LIMIT,
        engine=engine,
        distance_matrix_km=km,
    )

    def tour(order: tuple[str, ...]) -> float:
        path = ["W", *order, "W"]
        return sum(km.loc[a, b] for a, b in zip(path, path[1:], strict=False))

    best = min(tour(p) for p in itertools.permutations("abcde"))
    assert plan.unserved.empty
    assert plan.total_distance_km == pytest.approx(best, abs=1e-2)
    assert tour(tuple(_route(plan, "v1"))) == pytest.approx(best, abs=1e-6)
    assert plan.status == "feasible"


def test_time_window_forces_the_far_stop_first(engine: str) -> None:
    # near (1 km) and far (5 km) on the same road; far closes at 08:20, near opens at 08:30
    km = _matrix({"W": (0, 0), "near": (1, 0), "far": (5, 0)})
    stops = _stops(
        [("near", 52.0, 4.0, 1, "08:30", "09:30", 5), ("far", 52.0, 4.0, 1, "08:00", "08:20", 5)]
    )
    plan = plan_routes(
        stops,
        _vehicles([("v1", 10, "08:00", "12:00", 0)]),
        DEPOT,
        time_limit_seconds=LIMIT,
        engine=engine,
        speed_kmh=30.0,
        distance_matrix_km=km,
    )
    assert _route(plan, "v1") == ["far", "near"]
    legs = plan.legs.set_index("stop")
    # 5 km at 30 km/h = 10 min: leave 08:00, far at 08:10; near window opens at 08:30
    assert legs.loc["far", "arrival"] == "08:10"
    assert legs.loc["far", "departure"] == "08:15"
    assert legs.loc["near", "arrival"] == "08:30"
    assert plan.total_distance_km == pytest.approx(10.0)


def test_capacity_forces_two_routes_with_loads_within_capacity(engine: str) -> None:
    km = _matrix({"W": (0, 0), "a": (1, 0), "b": (2, 0), "c": (-1, 0), "d": (-2, 0)})
    stops = _stops([(s, 52.0, 4.0, 6, "", "", 0) for s in "abcd"])
    fleet = _vehicles([("v1", 12, "08:00", "18:00", 0), ("v2", 12, "08:00", "18:00", 0)])
    plan = plan_routes(
        stops, fleet, DEPOT, time_limit_seconds=LIMIT, engine=engine, distance_matrix_km=km
    )
    routes = sorted(sorted(_route(plan, v)) for v in ("v1", "v2"))
    assert routes == [["a", "b"], ["c", "d"]]  # each side of the depot: 4 km out and back
    assert plan.total_distance_km == pytest.approx(8.0)
    starts = plan.legs[plan.legs["sequence"] == 0]
    assert list(starts["load_after"]) == [12, 12]
    assert plan.legs["load_after"].max() <= 12
    assert plan.vehicles_used == 2


def test_every_stop_is_served_or_reported_with_its_reason(engine: str) -> None:
    km = _matrix(
        {
            "W": (0, 0),
            "a": (1, 0),
            "b": (2, 0),
            "big": (1, 1),
            "bad": (0, 1),
            "early": (30, 0),
            "x": (0, 2),
        }
    )
    stops = _stops(
        [
            ("a", 52.0, 4.0, 5, "", "", 0),
            ("b", 52.0, 4.0, 5, "", "", 0),
            ("x", 52.0, 4.0, 5, "", "", 0),  # one of a, b, x cannot fit
            ("big", 52.0, 4.0, 50, "", "", 0),  # above every capacity
            ("bad", 52.0, 4.0, 1, "10:00", "09:00", 0),  # window ends before it starts
            ("early", 52.0, 4.0, 1, "08:00", "08:30", 0),  # 30 km = 60 min away, closes 08:30
        ]
    )
    plan = plan_routes(
        stops,
        _vehicles([("v1", 10, "08:00", "18:00", 0)]),
        DEPOT,
        time_limit_seconds=LIMIT,
        engine=engine,
        distance_matrix_km=km,
    )
    reasons = dict(zip(plan.unserved["stop"], plan.unserved["reason"], strict=True))
    assert "above every vehicle's capacity (largest 10)" in reasons["big"]
    assert "window ends (09:00) before it starts (10:00)" == reasons["bad"]
    assert "cannot be reached within its window" in reasons["early"]
    served = set(plan.legs["stop"]) - {"W"}
    assert len(served) == 2 and served < {"a", "b", "x"}
    (left,) = {"a", "b", "x"} - served
    assert reasons[left].startswith("left out")
    assert served | set(reasons) == set(stops["stop"])


def test_fixed_cost_makes_one_vehicle_do_both_stops(engine: str) -> None:
    km = _matrix({"W": (0, 0), "a": (1, 0), "b": (0, 1)})
    stops = _stops([("a", 52.0, 4.0, 1, "", "", 0), ("b", 52.0, 4.0, 1, "", "", 0)])
    fleet = _vehicles([("v1", 10, "08:00", "18:00", 100), ("v2", 10, "08:00", "18:00", 100)])
    plan = plan_routes(
        stops, fleet, DEPOT, time_limit_seconds=LIMIT, engine=engine, distance_matrix_km=km
    )
    assert plan.vehicles_used == 1
    assert plan.total_distance_km == pytest.approx(2 + math.sqrt(2), abs=1e-3)


def test_route_duration_limit_splits_the_work(engine: str) -> None:
    km = _matrix({"W": (0, 0), "a": (5, 0), "b": (-5, 0)})  # 10 min each way at 30 km/h
    stops = _stops([("a", 52.0, 4.0, 1, "", "", 0), ("b", 52.0, 4.0, 1, "", "", 0)])
    fleet = _vehicles([("v1", 10, "08:00", "18:00", 0), ("v2", 10, "08:00", "18:00", 0)])
    fleet["max_route_minutes"] = [25, 25]  # one round trip is 20 min, both take 40
    plan = plan_routes(
        stops, fleet, DEPOT, time_limit_seconds=LIMIT, engine=engine, distance_matrix_km=km
    )
    assert plan.vehicles_used == 2 and plan.unserved.empty


def test_vehicles_start_at_their_own_depot(engine: str) -> None:
    east = Depot("E", 52.0, 4.5)
    stops = _stops([("w1", 52.0, 4.01, 1, "", "", 0), ("e1", 52.0, 4.49, 1, "", "", 0)])
    fleet = _vehicles([("vw", 10, "08:00", "18:00", 0), ("ve", 10, "08:00", "18:00", 0)])
    fleet["depot"] = ["", "E"]
    plan = plan_routes(stops, fleet, DEPOT, depots=[east], time_limit_seconds=LIMIT, engine=engine)
    assert _route(plan, "vw") == ["w1"] and _route(plan, "ve") == ["e1"]
    ends = plan.legs.groupby("vehicle")["stop"].agg(["first", "last"])
    assert ends.loc["ve"].tolist() == ["E", "E"]


def test_haversine_distances_and_travel_times() -> None:
    # 0.1 degree of latitude = 11.12 km; at 30 km/h that is 22.2 minutes
    stops = _stops([("n", 52.1, 4.0, 1, "08:00", "12:00", 0)])
    plan = plan_routes(
        stops, _vehicles([("v1", 10, "08:00", "18:00", 0)]), DEPOT, time_limit_seconds=LIMIT
    )
    legs = plan.legs.set_index("stop")
    assert legs.loc["n", "distance_km"] == pytest.approx(11.119, abs=1e-3)
    assert legs.loc["n", "arrival"] == "08:22"
    assert plan.total_distance_km == pytest.approx(2 * 11.119, abs=2e-3)


def test_bad_tables_raise_with_line_and_column() -> None:
    stops = _stops(
        [
            ("a", 52.0, 4.0, "x", "", "", 0),
            ("b", 52.0, 4.0, 1, "25:99", "", 0),
            ("a", 52.0, 4.0, 1, "", "", 0),
        ]
    )
    with pytest.raises(RouteInputError) as err:
        plan_routes(
            stops, _vehicles([("v1", 10, "08:00", "18:00", 0)]), DEPOT, time_limit_seconds=LIMIT
        )
    assert err.value.problems == [
        "stops line 2, column demand_units: not a whole number >= 0: 'x'",
        "stops line 3, column window_start: not a HH:MM time: '25:99'",
        "stops line 4, column stop: duplicate stop id 'a'",
    ]
    with pytest.raises(RouteInputError, match="vehicles line 2: shift ends"):
        plan_routes(_stops([]), _vehicles([("v1", 10, "18:00", "08:00", 0)]), DEPOT)
    with pytest.raises(RouteInputError, match="missing column"):
        plan_routes(
            _stops([]).drop(columns=["latitude"]),
            _vehicles([("v1", 10, "08:00", "18:00", 0)]),
            DEPOT,
        )
    with pytest.raises(ValueError, match="latitude/longitude out of range"):
        Depot("W", 95.0, 4.0)


def test_geojson_has_a_line_per_route_and_a_point_per_site() -> None:
    stops = _stops(
        [
            ("a", 52.01, 4.0, 1, "", "", 0),
            ("b", 52.01, 4.01, 1, "", "", 0),
            ("z", 52.0, 4.0, 99, "", "", 0),
        ]
    )
    plan = plan_routes(
        stops, _vehicles([("v1", 10, "08:00", "18:00", 0)]), DEPOT, time_limit_seconds=LIMIT
    )
    geo = plan.to_geojson()
    assert geo["type"] == "FeatureCollection"
    lines = [f for f in geo["features"] if f["geometry"]["type"] == "LineString"]
    points = {
        f["properties"]["site"]: f for f in geo["features"] if f["geometry"]["type"] == "Point"
    }
    assert len(lines) == 1
    coords = lines[0]["geometry"]["coordinates"]
    assert coords[0] == coords[-1] == [4.0, 52.0]  # [longitude, latitude], closed at depot
    assert len(coords) == 4 and lines[0]["properties"]["stops"] == 2
    assert set(points) == {"W", "a", "b", "z"}
    assert points["z"]["properties"]["kind"] == "unserved"
    assert "capacity" in points["z"]["properties"]["reason"]
    assert points["a"]["properties"]["vehicle"] == "v1"


def test_clock_parsing_accepts_the_documented_forms() -> None:
    import datetime as dt

    from warehouses.routing.geo import format_clock, parse_clock_minutes

    assert parse_clock_minutes("08:30") == 510
    assert parse_clock_minutes("25:05") == 1505  # after midnight
    assert parse_clock_minutes("08:30:30") == 510.5
    assert parse_clock_minutes(dt.time(8, 30)) == 510
    assert parse_clock_minutes(45) == 45 and parse_clock_minutes("90") == 90
    for bad in ("8h30", "08:60", "-5", "", "08:3"):
        with pytest.raises(ValueError):
            parse_clock_minutes(bad)
    assert format_clock(510.4) == "08:30" and format_clock(1505) == "25:05"
