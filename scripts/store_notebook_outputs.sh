#!/usr/bin/env bash
# Re-execute notebooks/*.ipynb in place with their default (quick) parameters, so the stored
# outputs that nbval checks match the current package, and store the quick reproduction's
# tables as tests/reference/quick/ (compared by tests/test_reference_results.py). Run after
# changing the package or a notebook:
#   bash scripts/store_notebook_outputs.sh [notebooks/NAME.ipynb ...]
#   STORE_RESULTS_DIR=DIR STORE_REFERENCES=0 bash scripts/store_notebook_outputs.sh   # reuse a
#                                            # result cache, keep the reference tables
set -euo pipefail
cd "$(dirname "$0")/.."
# A fresh result cache (unless STORE_RESULTS_DIR names one), filled once on every core, so the
# stored outputs reflect the current code and not runs cached by an older version.
export SPLITALLOC_RESULTS_DIR="${STORE_RESULTS_DIR:-$(pwd)/.cache/store-results}"
if [ -z "${STORE_RESULTS_DIR:-}" ]; then rm -rf "$SPLITALLOC_RESULTS_DIR"; fi
.venv/bin/python -m splitalloc reproduce --scale quick --out "$SPLITALLOC_RESULTS_DIR"
# The reproduction's tables become the reference data of tests/test_reference_results.py.
# STORE_REFERENCES=0 leaves tests/reference/quick/ as committed: after a change to the notebooks
# alone, re-stored tables would differ from the committed ones only in the last digits that
# another machine's CPU kernels give.
if [ "${STORE_REFERENCES:-1}" = 1 ]; then
  rm -rf tests/reference/quick && mkdir -p tests/reference/quick
  cp "$SPLITALLOC_RESULTS_DIR"/quick/*.csv tests/reference/quick/
  echo "stored reference tables: tests/reference/quick/ ($(ls tests/reference/quick | wc -l) files)"
fi
nbs=("$@")
if [ ${#nbs[@]} -eq 0 ]; then nbs=(notebooks/*.ipynb); fi
for nb in "${nbs[@]}"; do
  t=$(date +%s)
  .venv/bin/jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=1800 "$nb"
  echo "stored outputs: $nb ($(( $(date +%s) - t )) s)"
done
