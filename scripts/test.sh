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

# 1. Unit, property and integration tests (the browser check, marker "book", runs last).
run_pytest tests -q -m "not book" || exit 1

# Result cache shared by the reproduction, nbval and the book build (experiments.default_out_dir).
# Started empty on every run: the cache is keyed by run settings and config, not by the code,
# so a cache left by older code could hide a change from nbval.
export SPLITALLOC_RESULTS_DIR="$(pwd)/.cache/test-results"
rm -rf "$SPLITALLOC_RESULTS_DIR"

# 2. Notebooks: re-executed with their default (quick) parameters, outputs compared strictly
#    with the stored ones (plotly/pandas ids masked by notebooks/sanitize.cfg). The quick
#    reproduction fills the result cache first, on every core, so each run is computed once.
"$PY" -m splitalloc reproduce --scale quick --out "$SPLITALLOC_RESULTS_DIR" || exit 1
run_pytest --nbval notebooks/ --nbval-sanitize-with notebooks/sanitize.cfg -q -p no:cacheprovider || exit 1

# 3. The quick book (reproduce -> papermill -> jupyter-book build -W), then the browser check.
bash scripts/build_book.sh quick || exit 1
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian chromium for the browser check"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || { echo "ERROR: could not install chromium (apt-get install -y chromium)" >&2; exit 1; }
fi
SPLITALLOC_BOOK_BUILT=1 run_pytest tests -m book -q || exit 1
