"""`supplycast what-if` on an imported sample, and its option parsing."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from scenarios import AddPromotion, HeatWave, SupplierDelay, WarehouseOutage
from supplycast.cli import app
from supplycast.commands.what_if import biggest_changes, parse_changes


@pytest.fixture(scope="module")
def sample_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("what_if")
    url = f"sqlite:///{root / 'demo.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUPPLYCAST_DATABASE_URL", url)
        args = ["demo", "--dir", str(root / "csv"), "--skus", "10", "--days", "90", "--no-plan"]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return url


@pytest.mark.slow
def test_what_if_supplier_delay_changes_only_that_suppliers_skus(
    sample_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPLYCAST_DATABASE_URL", sample_database)
    monkeypatch.setenv("COLUMNS", "200")
    args = ["what-if", "--supplier-delay", "SUP-PRF,5", "--down", "FW-XUHUI"]
    result = CliRunner().invoke(app, [*args, "--forecast-models", "seasonal_naive"])
    assert result.exit_code == 0, result.output
    assert "as of 2026-11-21: what-if: supplier SUP-PRF delayed by 5 days; FW-XUHUI is down" in (
        result.output
    )
    assert "shortage_units" in result.output
    changed = re.findall(r"│ ([A-Z]{3}-\d{3}) +│ (\S+) +│", result.output)
    # the one ice-cream SKU (SUP-PRF's only SKU in a 10-SKU sample) at both regionals
    assert sorted(changed) == [("ICE-001", "RDC-JIADING"), ("ICE-001", "RDC-PUDONG")]


def test_what_if_rejects_bad_options(sample_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCAST_DATABASE_URL", sample_database)
    runner = CliRunner()
    assert runner.invoke(app, ["what-if"]).exit_code == 2
    assert runner.invoke(app, ["what-if", "--supplier-delay", "SUP-PRF"]).exit_code == 2
    assert runner.invoke(app, ["what-if", "--promotion", "ICE-001,2026-11-30,x,10"]).exit_code == 2
    unknown = runner.invoke(app, ["what-if", "--supplier-delay", "SUP-NOPE,3"])
    assert unknown.exit_code == 1
    assert "supplies nothing" in unknown.output


def test_parse_changes_builds_each_kind() -> None:
    changes = parse_changes(
        ["ICE-001,2026-12-01,2026-12-07,20", "BEV-002,2026-12-01,2026-12-02,15,FW-JINGAN"],
        ["2026-11-22,2026-11-28,6,FW-JINGAN,FW-XUHUI"],
        ["SUP-EBB,3"],
        ["RDC-PUDONG"],
    )
    day = dt.date
    assert changes == (
        AddPromotion("ICE-001", day(2026, 12, 1), day(2026, 12, 7), 20.0, None),
        AddPromotion("BEV-002", day(2026, 12, 1), day(2026, 12, 2), 15.0, "FW-JINGAN"),
        HeatWave(day(2026, 11, 22), day(2026, 11, 28), 6.0, ("FW-JINGAN", "FW-XUHUI")),
        SupplierDelay("SUP-EBB", 3),
        WarehouseOutage("RDC-PUDONG"),
    )
    with pytest.raises(typer.BadParameter):
        parse_changes([], ["2026-11-22,6"], [], [])


def test_biggest_changes_orders_by_order_change_then_level_change() -> None:
    suggestions = pd.DataFrame(
        {
            "sku": ["A", "B", "C", "D"],
            "location": ["F"] * 4,
            "base_order_qty": [10.0, 0.0, 5.0, 7.0],
            "scenario_order_qty": [12.0, 0.0, 0.0, 7.0],
            "delta_order_qty": [2.0, 0.0, -5.0, 0.0],
            "base_order_up_to": [20.0, 30.0, 9.0, 7.0],
            "scenario_order_up_to": [22.0, 40.0, 4.0, 7.0],
        }
    )
    top = biggest_changes(suggestions, limit=10)
    assert list(top["sku"]) == ["C", "A", "B"]  # D did not change
    assert list(top["delta_order_up_to"]) == [-5.0, 2.0, 10.0]
