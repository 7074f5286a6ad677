"""Service targets per ABC/XYZ class for the daily plan: parsing and validation only.

A target maps a class key to a fill rate (fraction strictly between 0 and 1). Keys are an
ABC letter (`A`, `B`, `C`: revenue classes), an XYZ letter (`X`, `Y`, `Z`: demand
variability classes) or a pair (`AX` ... `CZ`); `replenishment.classes.apply_class_targets`
picks the most specific key matching a series (pair, then ABC, then XYZ). Text form, as in
`SUPPLYCAST_PLAN_SERVICE_TARGETS` and `supplycast plan --service-targets`:
`"A:0.98,B:0.95,C:0.90"` (keys case-insensitive, blanks around tokens ignored).

Standard library only: the settings import this module, and they must stay cheap to load.
"""

from __future__ import annotations

from collections.abc import Mapping

ABC_CLASSES = ("A", "B", "C")
XYZ_CLASSES = ("X", "Y", "Z")
CLASS_KEYS = (
    *ABC_CLASSES,
    *XYZ_CLASSES,
    *(abc + xyz for abc in ABC_CLASSES for xyz in XYZ_CLASSES),
)
SERVICE_TARGETINGS = ("group", "item")
"""`group`: a class's target is the aggregate fill rate of its demand units (the class is a
service group of the replenishment core); `item`: every series of the class at the target."""


def _target_problem(key: str, value: float) -> str | None:
    """Why `key: value` is not a valid target, or None."""
    if key not in CLASS_KEYS:
        return f"unknown class {key!r} (use A, B, C, X, Y, Z or a pair such as AX)"
    if not 0.0 < value < 1.0:  # NaN fails too
        return f"{value:g} is not a fill rate strictly between 0 and 1"
    return None


def parse_service_targets(text: str | None) -> dict[str, float] | None:
    """`"A:0.98,B:0.95,C:0.90"` -> `{"A": 0.98, "B": 0.95, "C": 0.9}`; None or blank -> None.

    Raises ValueError naming the first bad token: not `CLASS:FRACTION`, an unknown class, a
    value that is not a fraction in (0, 1) (percentages such as `A:98` are refused), or a
    class given twice.
    """
    if text is None or not text.strip():
        return None
    targets: dict[str, float] = {}
    for raw in text.split(","):
        token = raw.strip()
        if not token:
            continue
        key, colon, number = (part.strip() for part in token.partition(":"))
        if not colon or not key or not number:
            raise ValueError(
                f"bad service target {token!r}: expected CLASS:FRACTION such as A:0.98"
            )
        key = key.upper()
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"bad service target {token!r}: {number!r} is not a number") from None
        problem = _target_problem(key, value)
        if problem is None and key in targets:
            problem = f"class {key} given twice"
        if problem is not None:
            raise ValueError(f"bad service target {token!r}: {problem}")
        targets[key] = value
    if not targets:
        raise ValueError(f"bad service targets {text!r}: no CLASS:FRACTION token")
    return targets


def check_service_options(
    targets: Mapping[str, float] | None, targeting: str, min_fill_rate: float | None
) -> None:
    """ValueError unless the class-target options fit together.

    `targets`: None, or a non-empty mapping of class keys (upper case, see CLASS_KEYS) to
    fill rates in (0, 1). `targeting`: one of SERVICE_TARGETINGS. `min_fill_rate`: None, or
    a floor in (0, 1) on each series' implied fill rate inside a class group; it needs
    targets with `group` targeting and may not exceed the lowest target (a floor on an
    item's share of a group target cannot exceed the target).
    """
    if targeting not in SERVICE_TARGETINGS:
        raise ValueError(
            f"service_targeting must be one of {', '.join(SERVICE_TARGETINGS)}, not {targeting!r}"
        )
    if targets is not None:
        if not targets:
            raise ValueError("service_targets is empty: give None for one service_level")
        for key, value in targets.items():
            problem = _target_problem(str(key), float(value))
            if problem is not None:
                raise ValueError(f"bad service target '{key}:{value}': {problem}")
    if min_fill_rate is None:
        return
    if not 0.0 < min_fill_rate < 1.0:
        raise ValueError(f"min_fill_rate {min_fill_rate:g} must be strictly between 0 and 1")
    if targets is None or targeting != "group":
        raise ValueError("min_fill_rate needs service_targets with service_targeting 'group'")
    lowest_key = min(targets, key=lambda k: targets[k])
    if min_fill_rate > targets[lowest_key]:
        raise ValueError(
            f"min_fill_rate {min_fill_rate:g} is above the target {lowest_key}:"
            f"{targets[lowest_key]:g}: a floor on an item's share of a class target cannot "
            "exceed the target"
        )
