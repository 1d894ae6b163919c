#!/usr/bin/env bash
# `make test`: unit/property/integration tests; then, twice (the machine's native kernels, and
# torch's generic kernels with MKL's compatible code path, as another CPU would give), the
# quick reproduction into an empty result cache, its tables against tests/reference/ and the
# notebooks against their stored outputs (nbval, floats compared as numbers at the tolerance
# of tests/numbers_match.py); then the quick book and the browser check.
# Runs inside the project venv created by the Makefile.
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

# 0. The pins also resolve for Python 3.12 (a 3.12 user's `make venv`); a dry run, no install.
bash scripts/check_pins.sh 3.12 || exit 1

# 1. Unit, property and integration tests (reproduction and browser checks come later).
run_pytest tests -q -m "not book and not reproduction" || exit 1

# 2. The quick reproduction and the notebooks, on two sets of CPU kernels. The result cache is
#    emptied before each pass: it is keyed by settings and code, not by kernels, so a warm cache
#    would hide the difference.
check_kernels() {
  local label="$1"
  export SPLITALLOC_RESULTS_DIR="$(pwd)/.cache/test-results-$label"
  rm -rf "$SPLITALLOC_RESULTS_DIR"
  echo "== checks with $label kernels (ATEN_CPU_CAPABILITY=${ATEN_CPU_CAPABILITY:-<native>}, MKL_CBWR=${MKL_CBWR:-<native>})"
  "$PY" -m splitalloc reproduce --scale quick --out "$SPLITALLOC_RESULTS_DIR" --no-progress >/dev/null \
    || { echo "ERROR: reproduce --scale quick failed ($label kernels)" >&2; return 1; }
  run_pytest tests -m reproduction -q -p no:cacheprovider || return 1
  run_pytest --nbval notebooks/ -q -p no:cacheprovider || return 1
}
( check_kernels native ) || exit 1
( export ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE; check_kernels generic ) || exit 1

# 3. The quick book (reproduce -> papermill -> jupyter-book build -W), then the browser check.
export SPLITALLOC_RESULTS_DIR="$(pwd)/.cache/test-results-native"
bash scripts/build_book.sh quick || exit 1
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian chromium for the browser check"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || { echo "ERROR: could not install chromium (apt-get install -y chromium)" >&2; exit 1; }
fi
SPLITALLOC_BOOK_BUILT=1 run_pytest tests -m book -q || exit 1
