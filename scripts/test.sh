#!/usr/bin/env bash
# `make test`: unit/property/integration tests, then notebooks (nbval), then the quick book
# and the browser check. Runs inside the project venv created by the Makefile.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

run_pytest() {
  "$PY" -m pytest "$@"
  rc=$?
  # pytest exit code 5 = "no tests collected": a deliberate failure, never a silent pass.
  if [ "$rc" -eq 5 ]; then
    echo "ERROR: pytest collected no tests for: $*" >&2
    return 1
  fi
  return "$rc"
}

run_pytest tests -q || exit 1
