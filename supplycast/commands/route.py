"""`supplycast route`: solve a VRPLIB benchmark instance or route real stops from a depot.

Thin shell: read files, call `warehouses.routing`, write files; bad input exits with
status 1 and one line per problem on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from supplycast.commands.common import (
    CommandInputError,
    fail,
    read_csv_checked,
    written_atomically,
)


def _fail(problems: list[str]) -> NoReturn:
    fail(problems, prefix="error: ")


def _path(flag: str, text: str) -> object:
    return typer.Option(flag, help=text)


def route(
    out: Annotated[Path, _path("--out", "Output: FILE.sol (with --instance) or ROUTES.csv.")],
    instance: Annotated[Path | None, _path("--instance", "VRPLIB .vrp instance.")] = None,
    rounding: Annotated[
        str,
        typer.Option(
            help="Distances for --instance: auto|none|round|dimacs "
            "(auto: dimacs with time windows, else round)."
        ),
    ] = "auto",
    stops: Annotated[Path | None, _path("--stops", "STOPS.csv.")] = None,
    vehicles: Annotated[Path | None, _path("--vehicles", "VEHICLES.csv.")] = None,
    depot: Annotated[str | None, _path("--depot", "Depot location id.")] = None,
    depot_lat: Annotated[float | None, _path("--depot-lat", "Depot latitude.")] = None,
    depot_lon: Annotated[float | None, _path("--depot-lon", "Depot longitude.")] = None,
    locations: Annotated[
        Path | None,
        _path("--locations", "LOC.csv to look up --depot (and each vehicle's `depot`)."),
    ] = None,
    geojson: Annotated[Path | None, _path("--geojson", "Also write routes as GeoJSON.")] = None,
    unserved_out: Annotated[
        Path | None, _path("--unserved", "Unserved stops CSV (default: <out>.unserved.csv).")
    ] = None,
    speed_kmh: Annotated[float, _path("--speed-kmh", "Travel speed, km/h.")] = 30.0,
    time_limit: Annotated[float, _path("--time-limit", "Solver time limit, seconds.")] = 10.0,
    engine: Annotated[str, typer.Option(help="Solver engine: auto|ortools|pyvrp.")] = "auto",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Plan delivery routes: `--instance FILE.vrp --out FILE.sol` or
    `--stops STOPS.csv --vehicles VEHICLES.csv --depot LOC --out ROUTES.csv`."""
    if time_limit <= 0:
        _fail(["--time-limit must be > 0"])
    if instance is not None:
        if stops is not None or vehicles is not None:
            _fail(["give either --instance or --stops/--vehicles, not both"])
        _solve_instance(instance, out, rounding, time_limit, engine, seed)
        return
    if stops is None or vehicles is None or depot is None:
        _fail(["give --instance FILE.vrp, or --stops, --vehicles and --depot"])
    _route_sites(
        stops,
        vehicles,
        depot,
        depot_lat,
        depot_lon,
        locations,
        out,
        geojson,
        unserved_out,
        speed_kmh,
        time_limit,
        engine,
        seed,
    )


def _solve_instance(
    path: Path, out: Path, rounding: str, time_limit: float, engine: str, seed: int
) -> None:
    from warehouses.routing.vrplib_io import ROUNDINGS, solve_vrplib, write_solution

    if rounding not in ROUNDINGS:
        _fail([f"--rounding must be one of {', '.join(ROUNDINGS)}, got {rounding!r}"])
    if not path.is_file():
        _fail([f"{path}: no such file"])
    try:
        inst, solution = solve_vrplib(
            path, time_limit_seconds=time_limit, rounding=rounding, engine=engine, seed=seed
        )
    except ValueError as exc:
        _fail(str(exc).splitlines())
    if solution.status != "feasible":
        _fail([f"{inst.name}: no feasible solution found in {time_limit} s ({solution.engine})"])
    cost = write_solution(out, inst, [list(r) for r in solution.routes])
    used = sum(1 for r in solution.routes if r)
    typer.echo(
        f"{inst.name}: cost {cost:g} ({inst.rounding}), {used} routes, "
        f"engine {solution.engine}, {solution.seconds:.1f} s -> {out}"
    )


def _read_csv(path: Path, label: str):  # noqa: ANN202 - pandas frame
    if not path.is_file():
        _fail([f"{path}: no such {label} file"])
    try:
        return read_csv_checked(path, dtype=str, keep_default_na=False)
    except CommandInputError as exc:
        _fail(exc.problems)


def _depot_lookup(name: str, lat: float | None, lon: float | None, locations: Path | None):  # noqa: ANN202
    from warehouses.routing import Depot

    table: dict = {}
    if locations is not None:
        frame = _read_csv(locations, "locations")
        missing = [c for c in ("location", "latitude", "longitude") if c not in frame]
        if missing:
            _fail([f"{locations}: missing column(s) {', '.join(missing)}"])
        for pos, row in enumerate(frame.itertuples(), start=2):
            if not row.latitude or not row.longitude:
                continue
            try:
                table[row.location] = Depot(row.location, float(row.latitude), float(row.longitude))
            except ValueError as exc:
                _fail([f"{locations}:{pos}: {exc}"])
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            _fail(["give both --depot-lat and --depot-lon"])
        try:
            return Depot(name, lat, lon), table
        except ValueError as exc:
            _fail([str(exc)])
    if name not in table:
        where = f"in {locations}" if locations else "(give --depot-lat/--depot-lon or --locations)"
        _fail([f"unknown depot {name!r} {where}"])
    return table[name], table


def _route_sites(
    stops: Path,
    vehicles: Path,
    depot_name: str,
    lat: float | None,
    lon: float | None,
    locations: Path | None,
    out: Path,
    geojson: Path | None,
    unserved_out: Path | None,
    speed_kmh: float,
    time_limit: float,
    engine: str,
    seed: int,
) -> None:
    from warehouses.routing import RouteInputError, plan_routes

    stop_frame = _read_csv(stops, "stops")
    vehicle_frame = _read_csv(vehicles, "vehicles")
    depot, known = _depot_lookup(depot_name, lat, lon, locations)
    homes = set(vehicle_frame["depot"]) - {"", depot_name} if "depot" in vehicle_frame else set()
    unknown = sorted(h for h in homes if h not in known)
    if unknown:
        _fail([f"{vehicles}: unknown depot {h!r} (not in --locations)" for h in unknown])
    try:
        plan = plan_routes(
            stop_frame,
            vehicle_frame,
            depot,
            time_limit_seconds=time_limit,
            speed_kmh=speed_kmh,
            depots=[known[h] for h in sorted(homes)],
            engine=engine,
            seed=seed,
        )
    except RouteInputError as exc:
        _fail(
            [
                p.replace("stops line", f"{stops}: line").replace(
                    "vehicles line", f"{vehicles}: line"
                )
                for p in exc.problems
            ]
        )
    except ValueError as exc:
        _fail(str(exc).splitlines())
    with written_atomically(out) as temporary:
        plan.legs.to_csv(temporary, index=False)
    target = unserved_out or out.with_name(out.stem + ".unserved.csv")
    with written_atomically(target) as temporary:
        plan.unserved.to_csv(temporary, index=False)
    if geojson is not None:
        with written_atomically(geojson) as temporary:
            temporary.write_text(json.dumps(plan.to_geojson(), indent=1))
    typer.echo(
        f"{plan.vehicles_used} vehicles, {plan.total_distance_km:.1f} km, "
        f"{len(plan.unserved)} unserved -> {out}, {target}"
    )
    for row in plan.unserved.itertuples():
        typer.echo(f"unserved {row.stop}: {row.reason}")


def register(app: typer.Typer) -> None:
    """Add `supplycast route` to the root app."""
    app.command("route")(route)
