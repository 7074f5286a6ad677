"""Sites marked down: remove their stock and lanes, move front needs to backups (issue 5).

Rules (docs/allocation.md, "Sites marked down"):
- a down site's stock is unavailable and no lane from or to it is used;
- a down front site's need moves to its backup (following the `backup` chain past sites that
  are down too); the moved rows keep their own shortage cost;
- a down regional warehouse's fronts are fed by its backup over lanes from the backup; when
  such a lane is missing from the lanes, a warning names it (the fronts can then only be fed by
  the remaining lanes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from warehouses.allocation.inputs import AllocationInputError, AllocationInputs, InputProblem


@dataclass(frozen=True)
class OperatingNetwork:
    """What is left to allocate once down sites are taken out.

    stock: sku, location, available; needs: sku, location (where the need arose), served_at
    (where it is delivered; None when it cannot be served), need, shortage_cost; lanes and
    capacity as in AllocationInputs; warnings: human sentences.
    """

    stock: pd.DataFrame
    needs: pd.DataFrame
    lanes: pd.DataFrame
    capacity: pd.DataFrame
    warnings: tuple[str, ...]


def _follow_backup(site: str, down: set[str], backups: dict[str, str | None]) -> str | None:
    """First site that is not down along the backup chain from `site`; None if none."""
    seen = {site}
    current: str | None = site
    while current is not None and current in down:
        current = backups.get(current)
        if current in seen:
            return None
        if current is not None:
            seen.add(current)
    return current


def apply_outages(inputs: AllocationInputs, down: Sequence[str]) -> OperatingNetwork:
    """Take the `down` sites out of the network (see module docstring)."""
    needs = inputs.needs.assign(served_at=inputs.needs["location"])
    needs = needs[["sku", "location", "served_at", "need", "shortage_cost"]]
    down_set = set(down)
    if not down_set:
        return OperatingNetwork(inputs.stock, needs, inputs.lanes, inputs.capacity, ())
    assert inputs.locations is not None  # validate_inputs requires it when sites are down
    locations = inputs.locations
    kinds = dict(zip(locations["location"], locations["kind"], strict=True))
    backups = dict(zip(locations["location"], locations["backup"], strict=True))
    rows = {site: row for row, site in enumerate(locations["location"])}
    warnings: list[str] = []
    problems: list[InputProblem] = []

    stock = inputs.stock
    lost = stock[stock["location"].isin(down_set)]
    for site, group in lost.groupby("location", sort=True):
        warnings.append(
            f"{site} is down: its stock of {int(group['available'].sum())} units "
            f"({len(group)} skus) is unavailable"
        )
    stock = stock[~stock["location"].isin(down_set)].reset_index(drop=True)
    lanes = inputs.lanes
    lanes = lanes[~(lanes["origin"].isin(down_set) | lanes["destination"].isin(down_set))]
    lanes = lanes.reset_index(drop=True)
    lane_set = set(zip(lanes["origin"], lanes["destination"], strict=True))

    served_at: dict[str, str | None] = {}
    for site in sorted(down_set):
        if kinds.get(site) != "front":
            continue
        target = _follow_backup(site, down_set, backups)
        if target is not None and kinds.get(target) != "front":
            problems.append(
                InputProblem(
                    "locations",
                    rows[site],
                    "backup",
                    f"front {site} is down and its backup {target} is a {kinds.get(target)} site; "
                    "needs can only move to a front site",
                )
            )
        elif target is None and (needs["location"] == site).any():
            warnings.append(
                f"front {site} is down and has no backup that is up: its needs stay unmet"
            )
        elif target is not None:
            warnings.append(f"front {site} is down: its needs move to its backup {target}")
        served_at[site] = target
    if problems:
        raise AllocationInputError(problems)
    moved = needs["location"].isin(served_at)
    needs.loc[moved, "served_at"] = needs.loc[moved, "location"].map(served_at)

    for site in sorted(down_set):
        if kinds.get(site) != "regional":
            continue
        fronts = sorted(
            front
            for front, parent in zip(locations["location"], locations["parent"], strict=True)
            if parent == site and front not in down_set
        )
        backup = _follow_backup(site, down_set, backups)
        if backup is None:
            warnings.append(
                f"regional {site} is down and has no backup that is up: its fronts "
                f"{', '.join(fronts) or '(none)'} are fed only by other lanes"
            )
            continue
        missing = [front for front in fronts if (backup, front) not in lane_set]
        if missing:
            warnings.append(
                f"regional {site} is down and its backup {backup} has no lane to "
                f"{', '.join(missing)}: add lanes {backup}->front to feed them from the backup"
            )
        else:
            warnings.append(f"regional {site} is down: its fronts are fed by its backup {backup}")
    capacity = inputs.capacity[~inputs.capacity["location"].isin(down_set)]
    return OperatingNetwork(
        stock, needs.reset_index(drop=True), lanes, capacity.reset_index(drop=True), tuple(warnings)
    )
