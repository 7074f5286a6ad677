#!/usr/bin/env bash
# Quick start, command 1: install into .venv, build the synthetic sample network in a SQLite
# file (demo-output/supplycast.db) and run the daily plan on it.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" ""
export SUPPLYCAST_DATABASE_URL="${SUPPLYCAST_DATABASE_URL:-sqlite:///demo-output/supplycast.db}"
mkdir -p demo-output
.venv/bin/supplycast demo --dir demo-output "$@"
