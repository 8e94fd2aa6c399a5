#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest (SQLite always; PostgreSQL too when
# TEST_DATABASE_URL is set). Called by `./run test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1
echo "== ruff"; .venv/bin/ruff check .
echo "== ruff format"; .venv/bin/ruff format --check . >/dev/null
echo "== mypy"; .venv/bin/mypy .
echo "== pytest (TEST_DATABASE_URL=${TEST_DATABASE_URL:-unset})"
exec .venv/bin/pytest "$@"
