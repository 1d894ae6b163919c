#!/usr/bin/env bash
# Re-execute notebooks/*.ipynb in place with their default (quick) parameters, so the stored
# outputs that nbval checks match the current package. Run after changing the package or a
# notebook:   bash scripts/store_notebook_outputs.sh [notebooks/NAME.ipynb ...]
set -euo pipefail
cd "$(dirname "$0")/.."
export SPLITALLOC_RESULTS_DIR="${SPLITALLOC_RESULTS_DIR:-$(pwd)/results}"
nbs=("$@")
if [ ${#nbs[@]} -eq 0 ]; then nbs=(notebooks/*.ipynb); fi
for nb in "${nbs[@]}"; do
  t=$(date +%s)
  .venv/bin/jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=1800 "$nb"
  echo "stored outputs: $nb ($(( $(date +%s) - t )) s)"
done
