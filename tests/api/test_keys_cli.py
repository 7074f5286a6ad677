"""`supplycast keys create|list|revoke` against a migrated database."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from supplycast.cli import app as cli


def test_create_prints_the_key_alone_on_the_last_line_and_revoke_disables_it(
    migrated_url: str,
) -> None:
    runner = CliRunner()
    created = runner.invoke(
        cli,
        [
            "keys",
            "create",
            "--role",
            "warehouse",
            "--location",
            "F1",
            "--database-url",
            migrated_url,
        ],
    )
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("sc_") and " " not in key and len(key) > 40
    with TestClient(create_app(migrated_url)) as client:
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/v1/locations/F1/allocations", headers=headers).status_code == 404
        listed = runner.invoke(cli, ["keys", "list", "--database-url", migrated_url])
        assert listed.exit_code == 0
        assert key not in listed.stdout
        line = listed.stdout.strip().splitlines()[-1].split("\t")
        assert line[1:4] == ["warehouse@F1", "warehouse", "F1"]
        revoked = runner.invoke(cli, ["keys", "revoke", line[0], "--database-url", migrated_url])
        assert revoked.exit_code == 0
        assert client.get("/v1/locations/F1/allocations", headers=headers).status_code == 401


def test_create_refuses_bad_role_and_unknown_location(migrated_url: str) -> None:
    runner = CliRunner()
    bad_role = runner.invoke(
        cli, ["keys", "create", "--role", "boss", "--database-url", migrated_url]
    )
    assert bad_role.exit_code == 1
    assert "unknown role 'boss'" in bad_role.stderr
    unknown = runner.invoke(
        cli,
        [
            "keys",
            "create",
            "--role",
            "warehouse",
            "--location",
            "ZZ",
            "--database-url",
            migrated_url,
        ],
    )
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "error: unknown location 'ZZ' (import locations first)"
    missing = runner.invoke(cli, ["keys", "revoke", "9999", "--database-url", migrated_url])
    assert missing.exit_code == 1
    assert "no API key with id 9999" in missing.stderr
