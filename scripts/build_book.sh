#!/usr/bin/env bash
# `make book SCALE=quick|paper`: reproduce every experiment, execute each notebook with
# papermill into book/, build the HTML with Jupyter Book (-W: any warning fails the build),
# and print where index.html is. Runs inside the project venv created by the Makefile.
#
#   bash scripts/build_book.sh [quick|paper]
#
# Environment: SPLITALLOC_DATA_DIR (data directory, set by the Makefile when ../shared/data
# exists), BOOK_WORKERS (worker processes for the reproduction; default: all cores).
#
# Every line a step writes to stderr (where warnings go) is also kept in
# book/_build/stderr.log and, at the end, checked against scripts/book_output_allowlist.txt:
# a line that matches no pattern there (a new warning) fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PY="$ROOT/.venv/bin/python"
SCALE="${1:-paper}"
case "$SCALE" in
  quick|paper) ;;
  *) echo "build_book.sh: SCALE must be 'quick' or 'paper', got '$SCALE'" >&2; exit 2 ;;
esac
mkdir -p book/_build
ERRLOG="$ROOT/book/_build/stderr.log"
: > "$ERRLOG"
# Run a step with its stderr shown as usual and also appended to $ERRLOG (pipefail keeps the
# step's exit status).
step() { { "$@" 2>&1 1>&3 3>&- | tee -a "$ERRLOG" >&2; } 3>&1; }
# Result cache shared by the reproduction and the notebooks (experiments.default_out_dir()).
export SPLITALLOC_RESULTS_DIR="${SPLITALLOC_RESULTS_DIR:-$ROOT/results}"
OUT_DIR="$SPLITALLOC_RESULTS_DIR"
t0=$(date +%s)

# 1. Reproduce: every experiment of the paper's §V at this scale, results cached as CSV under
#    $OUT_DIR (the notebooks read the same cache, so each result is computed once).
echo "== reproduce (scale=$SCALE, out=$OUT_DIR)"
args=(reproduce --scale "$SCALE" --out "$OUT_DIR")
if [ -n "${BOOK_WORKERS:-}" ]; then args+=(--workers "$BOOK_WORKERS"); fi
step "$PY" -m splitalloc "${args[@]}"
t1=$(date +%s)

# 2. Execute each notebook listed in book/_toc.yml with papermill into book/ (the scale is
#    injected into every page that declares it; book/_ext/execute_pages.py).
echo "== papermill (scale=$SCALE)"
step "$PY" book/_ext/execute_pages.py "$SCALE"
t2=$(date +%s)

# 3. Build the HTML. -W turns every Sphinx warning (a dropped figure included) into an error;
#    --all rebuilds every page so no warning hides in a cached page.
echo "== jupyter-book build book"
step .venv/bin/jupyter-book build book --all --warningiserror --keep-going
t3=$(date +%s)

# 4. Nothing on stderr that a user cannot act on: every line must match the allowlist.
"$PY" scripts/check_output.py "$ERRLOG" scripts/book_output_allowlist.txt

echo "== timings: reproduce $((t1 - t0)) s, papermill $((t2 - t1)) s, build $((t3 - t2)) s, total $((t3 - t0)) s"
echo "== built site: $(du -sh book/_build/html | cut -f1)"
echo "Book: $ROOT/book/_build/html/index.html"
