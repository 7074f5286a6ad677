#!/usr/bin/env bash
# Quick start, command 2: install into .venv with the dev extra, make sure PostgreSQL is up
# (when installed) and Debian's chromium is there (when we can install it), then run ruff, mypy
# and pytest.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" "dev"
bash scripts/ensure_services.sh || echo "warning: could not start every service; their tests will be skipped"
# lint, format and types first: ruff check, ruff format --check and mypy over the packages
# (fast, and they fail the run)
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy forecasting replenishment warehouses storage api supplycast scenarios
# pytest exits 5 when it collected no test: that must fail, and it does (non-zero).
exec .venv/bin/python -m pytest "$@"
